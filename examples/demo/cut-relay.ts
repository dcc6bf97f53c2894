/**
 * A TCP relay in front of the demo's server that the demo can cut, as a network would: every
 * relayed connection is dropped at once, with no close handshake.
 */
import { connect, createServer, type Socket } from "node:net";

export interface CutRelay {
  /** `ws://127.0.0.1:port/ws` through the relay. */
  readonly wsUrl: string;
  /** Drops every relayed connection now. */
  cut(): void;
  close(): Promise<void>;
}

export async function startCutRelay(targetPort: number): Promise<CutRelay> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
