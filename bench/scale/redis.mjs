/**
 * A private redis-server for the benchmark: a free port on 127.0.0.1, no persistence,
 * killed at the end; and `INFO` read over a plain socket (no client library needed).
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { connect, createServer } from "node:net";

const candidates = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];

export function findRedisServer() {
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {}
  }
  return undefined;
}

export async function startRedis(path, timeoutMs = 10_000) {
  const port = await freePort();
  const child = spawn(
    path,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  child.once("exit", () => process.off("exit", kill));
  let output = "";
  await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    child.stdout.on("data", (chunk) => {
      output += chunk;
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
  child.stdout.resume();
  child.stderr.resume();
  return {
    child,
    port,
    url: `redis://127.0.0.1:${port}`,
    info: (section) => redisInfo(port, section),
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}

/** `INFO <section>` as an object of its fields (numbers where they are numbers). */
export function redisInfo(port, section, timeoutMs = 5_000) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let buffer = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis INFO ${section}: no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("data", (chunk) => {
      buffer += chunk;
      const header = /^\$(\d+)\r\n/.exec(buffer);
      if (header === null) return;
      const body = buffer.slice(header[0].length);
      if (Buffer.byteLength(body) < Number(header[1])) return;
      clearTimeout(timer);
      socket.destroy();
      const fields = {};
      for (const line of body.split("\r\n")) {
        const colon = line.indexOf(":");
        if (line.startsWith("#") || colon < 0) continue;
        const value = line.slice(colon + 1);
        fields[line.slice(0, colon)] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
      }
      resolve(fields);
    });
    socket.write(`INFO ${section}\r\n`);
  });
}

async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
