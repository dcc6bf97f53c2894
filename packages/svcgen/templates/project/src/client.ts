/** The client side: the generated client over REST, then over a WebSocket with a callback. */
import { connectHttp, connectWebSocket } from "@svcgen/runtime";
import { HelloClient, type Listener } from "./generated/hello.js";

export async function runClient(url: string): Promise<void> {
  // A stateless call: a plain REST request.
  const overHttp = new HelloClient(connectHttp(url));
  console.log(`client: ${await overHttp.greet("world")}`);

  // Callbacks travel over a WebSocket: the listener is a plain object.
  const connection = await connectWebSocket(`${url.replace(/^http/, "ws")}/ws`);
  const hello = new HelloClient(connection);
  let fourTicks!: () => void;
  const afterFourTicks = new Promise<void>((resolve) => (fourTicks = resolve));
  const listener: Listener = {
    tick(count, at) {
      console.log(`client: tick ${count} at ${at.toISOString()} (a oneway callback)`);
      if (count === 4) fourTicks();
    },
    keepGoing(count) {
      console.log(`client: keep going after ${count} ticks? yes (an awaited callback)`);
      return true;
    },
  };
  console.log(`client: ${await hello.watch(100, listener)}`);
  await afterFourTicks;

  // Letting the listener go: the server is told, and stops calling it.
  connection.release(listener);
  console.log(`client: released; the server calls back ${await hello.watching()} listeners now`);
  await connection.close();
}
