/** The server side: the generated base class extended, and an RpcServer serving it. */
import { CallbackGroup, RpcServer, type CallbackProxy } from "@svcgen/runtime";
import { HelloBase, type Listener } from "./generated/hello.js";

export class HelloService extends HelloBase {
  /** Every listener being called back; a released one leaves by itself. */
  readonly #listeners = new CallbackGroup<Listener>();

  greet(name: string): string {
    return `Hello, ${name}!`;
  }

  watch(intervalMillis: number, listener: CallbackProxy<Listener>): string {
    this.#listeners.add(listener);
    listener.onRelease((reason) => console.log(`server: listener released (${reason})`));
    void this.#callBack(listener, Math.max(intervalMillis, 10));
    return `calling you back every ${intervalMillis} ms`;
  }

  watching(): number {
    return this.#listeners.size;
  }

  async #callBack(listener: CallbackProxy<Listener>, intervalMillis: number): Promise<void> {
    try {
      for (let count = 1; ; count++) {
        await new Promise((resolve) => setTimeout(resolve, intervalMillis));
        if (listener.released) return;
        await listener.tick(count, new Date());
        if (count % 3 === 0 && !(await listener.keepGoing(count))) {
          listener.release("the listener said no");
          return;
        }
      }
    } catch (error) {
      // Released or disconnected while a call was on its way: there is no one to call.
      if (!listener.released) console.error("server: calling back failed:", error);
    }
  }
}

/** Serves HelloService over REST, JSON-RPC and WebSocket on one port (0: any free one). */
export async function startServer(port: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = new RpcServer().register(new HelloService());
  const { url } = await server.listen({ port, host: "127.0.0.1" });
  return { url, close: () => server.close() };
}
