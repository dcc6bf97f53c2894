/**
 * A redis-server of its own: a free port on 127.0.0.1, no persistence, stopped at the end.
 * It can be stopped and started again on the same port (a Redis restart loses everything,
 * as one without persistence does). The tests of test/scale start one per suite, and
 * `npm run demo -- --nodes N` one for its nodes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

/** The path Debian's redis-server package installs (scripts/install-redis.sh). */
export const redisServerPath = "/usr/bin/redis-server";

export class RedisServer {
  #child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  /** Starts a server on a free port. */
  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** (Re)starts the server on its port; resolves once it accepts connections. */
  async start(): Promise<void> {
    if (this.#child !== undefined) return;
    const child = spawn(
      redisServerPath,
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.#child = child;
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start:\n${output}`)),
        10_000,
      );
      child.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${output}`));
      });
    });
    child.stdout!.resume();
    child.stderr!.resume();
  }

  /** Stops the server (SIGKILL: no shutdown courtesy, as a crash) and waits for its exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    this.#child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await exited;
  }
}

/** A port free on 127.0.0.1 just now. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
