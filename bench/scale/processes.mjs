/**
 * The benchmark's child processes: each started through /bin/sh so that its soft
 * file-descriptor limit is raised to the hard one first (Node cannot do that itself), with
 * an IPC channel, and killed when the benchmark exits however it exits.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const children = new Set();

process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => process.exit(130));
}

/**
 * Starts `script` (next to this file) with `--expose-gc` and `nodeArgs`; resolves with the child and its
 * first message (`{ type: "ready", ... }`), or rejects after `timeoutMs`.
 */
export function startChild(script, label, env, timeoutMs, nodeArgs = []) {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(
    "/bin/sh",
    [
      "-c",
      'ulimit -Sn "$(ulimit -Hn)" && exec "$@"',
      "sh",
      process.execPath,
      "--expose-gc",
      ...nodeArgs,
      path,
    ],
    { env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  children.add(child);
  child.once("exit", () => children.delete(child));
  child.on("error", () => {}); // a send racing the child's exit: its question fails by itself
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${label} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once("message", (message) => {
      clearTimeout(timer);
      resolve({ child, label, ready: message });
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${signal ?? code}) while starting`));
    });
  });
}

/** Disconnects every child (each exits on its own), killing those still there after `graceMs`. */
export async function stopAll(graceMs = 5_000) {
  await Promise.all(
    [...children].map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      if (child.connected) child.disconnect();
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    }),
  );
}
