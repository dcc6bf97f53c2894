/** Liveness and memory bounds: dead peers are dropped, slow consumers are cut off. */
import { afterEach, describe, expect, test } from "@jest/globals";
import type { Socket } from "node:net";
import { connectWebSocket } from "@svcgen/runtime";
import { WebSocketServer } from "ws";
import { RawClient, startServer, until, type Running } from "./harness.js";

let running: Running | undefined;
const clients: RawClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await running?.close();
  running = undefined;
});

function rawClient(options: ConstructorParameters<typeof RawClient>[1] = {}): RawClient {
  const client = new RawClient(running!.wsUrl, options);
  clients.push(client);
  return client;
}

describe("liveness", () => {
  test("a peer that stops answering pings is terminated; one that answers stays", async () => {
    running = await startServer({ heartbeatMs: 50 });
    const silent = rawClient({ autoPong: false });
    const healthy = rawClient();
    await Promise.all([silent.opened, healthy.opened]);
    expect((await silent.closed).code).toBe(1006); // terminated: no close frame
    expect((await healthy.request(1, "lab.Lab.echo", [1])).result).toBe(1);
    expect(healthy.socket.readyState).toBe(healthy.socket.OPEN);
  });

  test("pings are spread over the interval, not sent to every peer at once", async () => {
    // 1.6 s: sixteen steps of 100 ms, each pinging a sixteenth of the connections.
    running = await startServer({ heartbeatMs: 1_600 });
    const peers = Array.from({ length: 32 }, () => rawClient());
    const silent = rawClient({ autoPong: false });
    await Promise.all([...peers, silent].map((peer) => peer.opened));
    const firstPing = await Promise.all(
      peers.map(
        (peer) =>
          new Promise<number>((resolve) => peer.socket.once("ping", () => resolve(Date.now()))),
      ),
    );
    // All at once, the spread would be a few ms; over sixteen steps it is ~1.5 s.
    expect(Math.max(...firstPing) - Math.min(...firstPing)).toBeGreaterThan(750);
    // A peer that answers none is still dropped after two pings; those that answer stay.
    expect((await silent.closed).code).toBe(1006);
    for (const peer of peers) expect(peer.socket.readyState).toBe(peer.socket.OPEN);
  }, 30_000);

  test("a client that stops reading is closed with 1008 and its callbacks released", async () => {
    running = await startServer({ limits: { maxBufferedBytes: 256 * 1024 } });
    const slow = rawClient();
    await slow.opened;
    expect((await slow.request(1, "lab.Lab.hold", { probe: "p1" })).result).toBeNull();
    const socket = (slow.socket as unknown as { _socket: Socket })._socket;
    socket.pause(); // reads nothing more: the server's unsent data piles up
    slow.send({ jsonrpc: "2.0", id: 2, method: "lab.Lab.flood", params: ["p1", 64 * 1024] });
    await until(() => running!.lab.releases.includes("disconnected"));
    socket.resume();
    expect((await slow.closed).code).toBe(1008);
  });

  test("the Node client drops a server that stops answering its pings", async () => {
    const mute = new WebSocketServer({ port: 0, host: "127.0.0.1", autoPong: false });
    await new Promise((resolve) => mute.once("listening", resolve));
    const { port } = mute.address() as { port: number };
    // A bare ws server that answers nothing, `$/session` included: no session to ask for.
    const connection = await connectWebSocket(`ws://127.0.0.1:${port}`, {
      heartbeatMs: 50,
      reconnect: false,
      session: false,
    });
    const closed = new Promise<number>((resolve) => connection.on("close", (e) => resolve(e.code)));
    expect(await closed).toBe(1006);
    expect(connection.state).toBe("closed");
    await new Promise((resolve) => mute.close(resolve));
  });
});
