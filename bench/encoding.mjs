/**
 * Which MessagePack implementation `svc.msgpack` uses, by measurement: encode and decode
 * ops/s of JSON.stringify/parse, msgpackr, @msgpack/msgpack and svcgen's own bounded
 * codec (packages/runtime/src/encoding) on two messages, and the gzipped size each adds to
 * a browser bundle (esbuild, minified). Run after `npm run build`:
 *
 *   node bench/encoding.mjs [--quick] [--json]
 *
 * Messages: a `$/callback` request (the message callback-push sends 100,000 times) and a
 * response carrying a 50-row record result (~4 KB of JSON). Each implementation gets the
 * wire value of its own flavor (docs/values.md): JSON the values the `json` flavor writes
 * (int64 as strings, timestamps as RFC 3339 text), the MessagePack ones the `msgpack`
 * flavor's (bigint, Date). "svcgen full" adds the schema codec on both sides: what a
 * transport pays per message. Ops/s are the best of 5 windows of 0.3 s (--quick: 1 of
 * 0.1 s), in one process.
 */
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { Packr, Unpackr } from "msgpackr";
import { Decoder, Encoder } from "@msgpack/msgpack";
import {
  encodeValue,
  decodeValue,
  jsonEncoding,
  msgpackEncoding,
  t,
} from "../packages/runtime/dist/index.js";

const quick = process.argv.includes("--quick");
const asJson = process.argv.includes("--json");
const WINDOWS = quick ? 1 : 5;
const WINDOW_MS = quick ? 100 : 300;

// ---- the messages ------------------------------------------------------------------

const Row = t.record("bench.Row", () => ({
  id: t.int64,
  name: t.string,
  score: t.float64,
  active: t.bool,
  createdAt: t.timestamp,
  note: t.optional(t.string),
}));
const Rows = t.list(Row);

const rows = Array.from({ length: 50 }, (_, i) => ({
  id: 1_000_000n + BigInt(i),
  name: `User ${i}`,
  score: 12.5 + i * 0.25,
  active: i % 3 !== 0,
  createdAt: new Date(Date.UTC(2026, 10, 1, 12, i, i, i)),
  ...(i % 5 === 0 ? { note: "prefers email" } : {}),
}));

function callbackMessage() {
  return {
    jsonrpc: "2.0",
    id: 4711,
    method: "$/callback",
    params: {
      callback: "cb-7f3a9c",
      method: "event",
      args: { seq: 81234, payload: "hello from the server, event payload" },
    },
  };
}

function rowsMessage(flavor) {
  return { jsonrpc: "2.0", id: 17, result: encodeValue(Rows, rows, flavor) };
}

// ---- the implementations -------------------------------------------------------------

const jsonFrames = jsonEncoding({ maxFrameBytes: 1 << 24, maxDepth: 100 });
const msgpackFrames = msgpackEncoding({ maxFrameBytes: 1 << 24, maxDepth: 100 });
const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false, int64AsType: "bigint" });
const encoder = new Encoder({ useBigInt64: true });
const decoder = new Decoder({ useBigInt64: true });

const implementations = [
  { name: "JSON.stringify/parse", flavor: "json", encode: JSON.stringify, decode: JSON.parse },
  {
    name: "msgpackr",
    flavor: "msgpack",
    encode: (value) => packr.pack(value),
    decode: (bytes) => unpackr.unpack(bytes),
  },
  {
    name: "@msgpack/msgpack",
    flavor: "msgpack",
    encode: (value) => encoder.encode(value),
    decode: (bytes) => decoder.decode(bytes),
  },
  {
    name: "svcgen svc.json",
    flavor: "json",
    encode: (value) => jsonFrames.encode(value),
    decode: (frame) => jsonFrames.decode(frame),
  },
  {
    name: "svcgen svc.msgpack",
    flavor: "msgpack",
    encode: (value) => msgpackFrames.encode(value),
    decode: (frame) => msgpackFrames.decode(frame),
  },
];

/** Ops/s of `fn`: the best of WINDOWS windows, after one window of warm-up. */
function opsPerSecond(fn) {
  let sink = 0;
  const window = () => {
    const deadline = performance.now() + WINDOW_MS;
    const started = performance.now();
    let ops = 0;
    while (performance.now() < deadline) {
      for (let i = 0; i < 50; i++) sink ^= sizeOf(fn());
      ops += 50;
    }
    return ops / ((performance.now() - started) / 1000);
  };
  window();
  let best = 0;
  for (let i = 0; i < WINDOWS; i++) best = Math.max(best, window());
  if (sink === 0.5) console.log(sink); // keeps the results observable
  return best;
}

function sizeOf(result) {
  if (typeof result === "string") return result.length;
  if (result instanceof Uint8Array) return result.length;
  return typeof result === "object" && result !== null ? 1 : 0;
}

function byteLength(frame) {
  return typeof frame === "string" ? Buffer.byteLength(frame) : frame.length;
}

const results = [];
for (const [label, make] of [
  ["$/callback", () => callbackMessage()],
  ["50-row result", (flavor) => rowsMessage(flavor)],
]) {
  for (const impl of implementations) {
    const message = make(impl.flavor);
    const frame = impl.encode(message);
    results.push({
      message: label,
      implementation: impl.name,
      bytes: byteLength(frame),
      encode: Math.round(opsPerSecond(() => impl.encode(message))),
      decode: Math.round(opsPerSecond(() => impl.decode(frame))),
    });
  }
  // The whole per-message cost of a transport: schema codec and frame codec, both ways.
  for (const [name, frames] of [
    ["svcgen full, svc.json", jsonFrames],
    ["svcgen full, svc.msgpack", msgpackFrames],
  ]) {
    if (label !== "50-row result") break;
    const flavor = frames.flavor;
    const write = () =>
      frames.encode({ jsonrpc: "2.0", id: 17, result: encodeValue(Rows, rows, flavor) });
    const frame = write();
    results.push({
      message: label,
      implementation: name,
      bytes: byteLength(frame),
      encode: Math.round(opsPerSecond(write)),
      decode: Math.round(
        opsPerSecond(() => decodeValue(Rows, frames.decode(frame).result, flavor)),
      ),
    });
  }
}

// ---- browser bundle size ------------------------------------------------------------

const runtimeDist = fileURLToPath(new URL("../packages/runtime/dist/", import.meta.url));

async function gzippedSize(contents) {
  const output = await esbuild.build({
    stdin: { contents, resolveDir: runtimeDist, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
  });
  const bytes = output.outputFiles[0].contents;
  return { minified: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length };
}

const bundles = [
  ["browser entry (svc.json and svcgen svc.msgpack)", `export * from "./browser.js";`],
  ["svcgen svc.msgpack alone", `export { msgpackEncoding } from "./encoding/msgpack.js";`],
  ["msgpackr alone (pack, unpack)", `export { Packr, Unpackr } from "msgpackr";`],
  [
    "@msgpack/msgpack alone (encode, decode)",
    `export { Encoder, Decoder } from "@msgpack/msgpack";`,
  ],
];
const sizes = [];
for (const [name, contents] of bundles)
  sizes.push({ bundle: name, ...(await gzippedSize(contents)) });

if (asJson) {
  console.log(JSON.stringify({ results, sizes }));
} else {
  console.table(results);
  console.table(sizes);
}
