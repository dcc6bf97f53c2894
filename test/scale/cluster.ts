/**
 * A cluster of forked node processes behind a TcpRouter, on a redis-server of the test's
 * own. The node script is bundled once (esbuild) from node-process.ts with the runtime and
 * the backplane from their sources, so the children run the code under test.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { RedisServer } from "../support/redis-server.js";
import { TcpRouter } from "./tcp-router.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const script = join(root, "build/test-scale/node-process.mjs");

async function bundleNodeScript(): Promise<void> {
  await mkdir(dirname(script), { recursive: true });
  await build({
    entryPoints: [join(root, "test/scale/node-process.ts")],
    outfile: script,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    alias: {
      "@svcgen/runtime": join(root, "packages/runtime/src/index.ts"),
      "@svcgen/redis": join(root, "packages/redis/src/index.ts"),
    },
    // Resolved from the repository's node_modules at run time.
    external: ["redis", "ws", "undici"],
    logLevel: "warning",
  });
}

export interface ClusterNodeProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly nodeId: string;
}

export class TestCluster {
  private constructor(
    readonly redis: RedisServer,
    readonly nodes: ClusterNodeProcess[],
    readonly router: TcpRouter,
  ) {}

  static async start(size: number): Promise<TestCluster> {
    const [redis] = await Promise.all([RedisServer.start(), bundleNodeScript()]);
    const prefix = `c${process.pid}`;
    const nodes = await Promise.all(
      Array.from({ length: size }, () => startProcess(redis.url, prefix)),
    );
    const router = new TcpRouter(nodes.map((node) => node.port));
    await router.listen();
    return new TestCluster(redis, nodes, router);
  }

  /** Kills node `index` with SIGKILL (no goodbye to Redis) and waits for its exit. */
  async kill(index: number): Promise<void> {
    const { child } = this.nodes[index]!;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await exited;
  }

  async stop(): Promise<void> {
    await this.router.close();
    await Promise.all(
      this.nodes.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.disconnect();
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    await this.redis.stop();
  }
}

function startProcess(redisUrl: string, prefix: string): Promise<ClusterNodeProcess> {
  const child = fork(script, [], {
    env: { ...process.env, SCALE_REDIS_URL: redisUrl, SCALE_PREFIX: prefix },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("node process did not start")), 15_000);
    child.once("message", (message: { port: number; nodeId: string }) => {
      clearTimeout(timer);
      resolve({ child, port: message.port, nodeId: message.nodeId });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`node process exited with ${code}`));
    });
  });
}
