/**
 * A TCP relay between real clients and a real server that misbehaves on demand, like a
 * network does: cut every connection, black-hole one direction (a half-open connection:
 * bytes vanish, nobody is told), cut after the next n bytes (in the middle of a frame),
 * delay, or refuse new connections for a while (an outage).
 */
import { connect, createServer, type Server, type Socket } from "node:net";

/** `up`: client → server; `down`: server → client. */
export type Direction = "up" | "down";

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  /** A dead NAT entry: one end closing is not passed on to the other. */
  halfOpen: boolean;
  /** Bytes still allowed through before a cut, per direction (Infinity: no cut armed). */
  budget: Record<Direction, number>;
  holes: Record<Direction, boolean>;
}

export class FaultProxy {
  readonly #server: Server;
  readonly #pairs = new Set<Pair>();
  #delayMs = 0;
  #offline = false;
  #armed: { bytes: number; direction: Direction } | undefined;
  /** Connections accepted since the start (a reconnect shows as one more). */
  connections = 0;
  port = 0;

  constructor(targetPort: number) {
    this.#server = createServer((client) => {
      if (this.#offline) {
        client.destroy();
        return;
      }
      this.connections++;
      const upstream = connect(targetPort, "127.0.0.1");
      const pair: Pair = {
        client,
        upstream,
        halfOpen: false,
        budget: { up: Infinity, down: Infinity },
        holes: { up: false, down: false },
      };
      const armed = this.#armed;
      this.#armed = undefined;
      if (armed !== undefined) pair.budget[armed.direction] = armed.bytes;
      this.#pairs.add(pair);
      client.setNoDelay(true);
      upstream.setNoDelay(true);
      for (const socket of [client, upstream]) {
        socket.on("error", () => undefined);
        socket.on("close", () => {
          if (pair.halfOpen && !(client.destroyed && upstream.destroyed)) return;
          this.#pairs.delete(pair);
          client.destroy();
          upstream.destroy();
        });
      }
      client.on("data", (chunk: Buffer) => this.#relay(pair, "up", chunk));
      upstream.on("data", (chunk: Buffer) => this.#relay(pair, "down", chunk));
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.port = (this.#server.address() as { port: number }).port;
    return this.port;
  }

  /** How many relayed connections are open now. */
  get open(): number {
    return this.#pairs.size;
  }

  /** Drops every relayed connection at once, with no close handshake. */
  cut(): void {
    for (const pair of [...this.#pairs]) {
      pair.halfOpen = false;
      pair.client.destroy();
      pair.upstream.destroy();
    }
  }

  /** From now on bytes in `direction` vanish on every open connection; both ends stay open. */
  blackhole(direction: Direction): void {
    for (const pair of this.#pairs) pair.holes[direction] = true;
  }

  /** Lets `bytes` more through in `direction` on every open connection, then cuts it there. */
  cutAfterBytes(bytes: number, direction: Direction): void {
    for (const pair of this.#pairs) pair.budget[direction] = bytes;
  }

  /**
   * Every open connection goes silent both ways, and when one end gives up the other is not
   * told: it stays open until its own liveness check or a takeover ends it.
   */
  halfOpen(): void {
    for (const pair of this.#pairs) {
      pair.halfOpen = true;
      pair.holes.up = pair.holes.down = true;
    }
  }

  /** The next connection accepted is cut after `bytes` in `direction` (a cut in a handshake or a replay). */
  cutNextAfterBytes(bytes: number, direction: Direction): void {
    this.#armed = { bytes, direction };
  }

  /** Holds every chunk relayed from now on for `ms` (order is kept). */
  delay(ms: number): void {
    this.#delayMs = ms;
  }

  /** While offline, new connections are dropped at once (and open ones are cut). */
  setOffline(offline: boolean): void {
    this.#offline = offline;
    if (offline) this.cut();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #relay(pair: Pair, direction: Direction, chunk: Buffer): void {
    if (pair.holes[direction]) return;
    const target = direction === "up" ? pair.upstream : pair.client;
    let data = chunk;
    let cutAfter = false;
    if (pair.budget[direction] !== Infinity) {
      if (chunk.length >= pair.budget[direction]) {
        data = chunk.subarray(0, pair.budget[direction]);
        cutAfter = true;
      }
      pair.budget[direction] -= data.length;
    }
    const write = () => {
      if (target.destroyed) return;
      if (!cutAfter) {
        target.write(data);
        return;
      }
      // Let the partial frame leave, then drop both ends with no close handshake.
      pair.holes.up = pair.holes.down = true;
      pair.halfOpen = false;
      target.write(data, () => {
        pair.client.destroy();
        pair.upstream.destroy();
      });
    };
    if (this.#delayMs > 0) setTimeout(write, this.#delayMs);
    else write();
  }
}
