/**
 * Contenders: each module in ../contenders/ implements the same small surface, so that a
 * scenario is written once and runs against all of them:
 *
 *   startServer({ transport: "ws" | "http" }) → { port, close() }
 *   connect(port, { transport }) → client with
 *     add(a, b) → Promise<number>
 *     rows(count) → Promise<row[]>     (the same `count` rows every time, see contenders/rows.mjs)
 *     push(count, payload, onEvent) → Promise (server sends `count` oneway events, then answers)
 *     subscribe(onEvent) → Promise     (joins the broadcast group)
 *     broadcast(seq, payload) → Promise (server sends one event to every subscriber)
 *     close() → Promise
 *
 * onEvent receives (seq, payload). Scenarios list the contenders that support what they
 * use (tRPC has no broadcast group here; raw-http and REST do only `add`).
 */

const modules = {
  svcgen: "../contenders/svcgen.mjs",
  "svcgen-sessions": "../contenders/svcgen-sessions.mjs",
  "svcgen-msgpack": "../contenders/svcgen-msgpack.mjs",
  "svcgen-plain": "../contenders/svcgen-plain.mjs",
  "raw-ws": "../contenders/raw-ws.mjs",
  "raw-http": "../contenders/raw-http.mjs",
  "rpc-websockets": "../contenders/rpc-websockets.mjs",
  "socket.io": "../contenders/socket-io.mjs",
  "socket.io-msgpack": "../contenders/socket-io-msgpack.mjs",
  trpc: "../contenders/trpc.mjs",
  grpc: "../contenders/grpc.mjs",
};

/** Packages each contender needs beyond what the repository always has. */
const packages = {
  svcgen: ["@svcgen/runtime"],
  "svcgen-sessions": ["@svcgen/runtime"],
  "svcgen-msgpack": ["@svcgen/runtime"],
  "svcgen-plain": ["@svcgen/runtime"],
  "rpc-websockets": ["rpc-websockets"],
  "socket.io": ["socket.io", "socket.io-client"],
  "socket.io-msgpack": ["socket.io", "socket.io-client", "socket.io-msgpack-parser"],
  trpc: ["@trpc/server", "@trpc/client"],
  grpc: ["@grpc/grpc-js", "@grpc/proto-loader"],
};

export const contenderNames = Object.keys(modules);

/**
 * Why `name` cannot run here (a package that does not resolve), or undefined. Checked before
 * starting any process for it, so a missing peer costs nothing.
 */
export function missingPackage(name) {
  for (const pkg of packages[name] ?? []) {
    try {
      import.meta.resolve(pkg);
    } catch {
      return `not installed: ${pkg}`;
    }
  }
  return undefined;
}

export async function loadContender(name) {
  const path = modules[name];
  if (!path) throw new Error(`unknown contender ${name}`);
  return import(path);
}

/** A missing package makes a contender unavailable rather than failing the run. */
export function unavailableReason(error) {
  // A runtime still missing an export the contender imports (the runtime is built apart).
  const missingExport = /does not provide an export named '([^']+)'/.exec(error?.message ?? "");
  if (missingExport) return `the runtime does not export ${missingExport[1]} (yet)`;
  if (error?.code !== "ERR_MODULE_NOT_FOUND") return undefined;
  const missing = /Cannot find (?:package|module) '([^']+)'/.exec(error.message)?.[1];
  return `not installed: ${missing ?? error.message}`;
}
