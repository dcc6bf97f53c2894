/**
 * `npm run demo -- --nodes N`: the example server on N processes joined by a redis-server
 * the demo starts for them (no persistence, on a free port), one URL per node. Open the
 * chat on two of them: a message said on one node reaches the members on the others.
 */
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { RedisServer, redisServerPath } from "./redis-process.js";

const print = (line = ""): void => void process.stdout.write(`${line}\n`);
const nodeScript = fileURLToPath(new URL("./cluster-node.js", import.meta.url));

interface RunningNode {
  readonly child: ChildProcess;
  readonly url: string;
}

/** Starts Redis and `count` nodes (ports `port`, `port + 1`, ...; 0: free ones), until a signal. */
export async function runCluster(count: number, port: number, host: string): Promise<void> {
  if (!existsSync(redisServerPath)) {
    throw new Error(
      `--nodes needs redis-server (${redisServerPath}, not found): ` +
        "install it with `bash scripts/install-redis.sh`",
    );
  }
  const redis = await RedisServer.start();
  const nodes: RunningNode[] = [];
  try {
    for (let i = 0; i < count; i++) {
      nodes.push(await startNode(redis.url, port === 0 ? 0 : port + i, host));
    }
  } catch (error) {
    await stopAll(nodes, redis);
    throw error;
  }
  print(`svcgen demo: ${count} nodes joined by Redis at ${redis.url}`);
  nodes.forEach((node, i) => print(`  node ${i + 1}: ${node.url}/`));
  print("Open the chat on two different nodes: their messages cross through Redis.");
  print("Press Ctrl+C to stop.");
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    for (const node of nodes) node.child.once("exit", stop);
  });
  await stopAll(nodes, redis);
}

function startNode(redisUrl: string, port: number, host: string): Promise<RunningNode> {
  const child = fork(nodeScript, [], {
    env: {
      ...process.env,
      DEMO_REDIS_URL: redisUrl,
      DEMO_PREFIX: `demo${process.pid}`,
      DEMO_PORT: String(port),
      DEMO_HOST: host,
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("a node did not start in 15 s")), 15_000);
    child.once("message", (message: { url: string }) => {
      clearTimeout(timer);
      resolve({ child, url: message.url });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`a node exited with ${code} while starting`));
    });
  });
}

async function stopAll(nodes: readonly RunningNode[], redis: RedisServer): Promise<void> {
  await Promise.all(
    nodes.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.disconnect();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }),
  );
  await redis.stop();
}
