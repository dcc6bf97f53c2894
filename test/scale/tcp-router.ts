/**
 * The load balancer of the multi-node suite: a TCP relay in front of several nodes that
 * sends each new connection to the next node in turn, or to the one a test chose with
 * `steerNext` (as a balancer would, with no stickiness). `cut` drops connections as a
 * network fault would (no close handshake), so that their clients reconnect.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export class TcpRouter {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  /** Client sockets by the index of the node they were sent to. */
  readonly #routed = new Map<Socket, number>();
  readonly #targets: number[];
  #next = 0;
  #steered: number | undefined;
  /** Nodes left out of the rotation (killed ones). */
  readonly #avoided = new Set<number>();
  port = 0;

  constructor(targetPorts: readonly number[]) {
    this.#targets = [...targetPorts];
    this.#server = createServer((client) => this.#relay(client));
  }

  /** The next connection goes to node `index` (then round robin resumes). */
  steerNext(index: number): void {
    this.#steered = index;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  /** Leaves node `index` out of the rotation from now on (as a balancer's health check would). */
  avoid(index: number): void {
    this.#avoided.add(index);
  }

  /** Destroys the connections routed to node `index` (every connection without one). */
  cut(index?: number): number {
    let cut = 0;
    for (const [client, target] of this.#routed) {
      if (index !== undefined && target !== index) continue;
      client.destroy();
      cut++;
    }
    return cut;
  }

  /** Connections open through the router to node `index`. */
  connectionsTo(index: number): number {
    return [...this.#routed.values()].filter((target) => target === index).length;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.port = (this.#server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #nextInRotation(): number {
    for (let tries = 0; tries < this.#targets.length; tries++) {
      const index = this.#next++ % this.#targets.length;
      if (!this.#avoided.has(index)) return index;
    }
    return this.#next++ % this.#targets.length;
  }

  #relay(client: Socket): void {
    const index = this.#steered ?? this.#nextInRotation();
    this.#steered = undefined;
    const upstream = connect(this.#targets[index]!, "127.0.0.1");
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
      socket.on("error", () => undefined);
    }
    this.#routed.set(client, index);
    client.on("close", () => {
      this.#routed.delete(client);
      upstream.destroy();
    });
    upstream.on("close", () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
