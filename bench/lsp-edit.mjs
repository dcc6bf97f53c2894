/**
 * How fast the language server answers an edit: `svcgen lsp --stdio` driven over stdio by a
 * real LSP client on a 100,000-line workspace (idl-corpus.mjs), timing each edit from the
 * `didChange` notification to the `publishDiagnostics` for that version of the file.
 * Run after `npm run build`:
 *
 *   node bench/lsp-edit.mjs [--json] [--quick] [--no-lint]
 *
 * Edits (each alternates between two texts, so every one changes the file):
 *   leaf-error      a part file: a field's type becomes an unknown name, then is fixed
 *   leaf-rename     a part file: a declaration the file itself uses is renamed
 *   shared-body     common.svc (imported by every part): a field added to `Money`
 *   shared-rename   common.svc: `Money`, which every part uses, renamed (every part re-checked)
 * --quick uses a 20k-line workspace and fewer edits. --json prints one JSON line for
 * bench/run.mjs: `value` (median ms of leaf-error), and the other medians and p95s as extras.
 * Wall time on a busy machine includes waiting for a core; the server's CPU time per edit
 * (from /proc, Linux only) is the steadier measure of the work done.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver-protocol/node";
import { writeIdl } from "./idl-corpus.mjs";

const json = process.argv.includes("--json");
const quick = process.argv.includes("--quick");
/** The server's lint warnings (on by default, as in an editor) off: what they cost. */
const noLint = process.argv.includes("--no-lint");
const LINES = quick ? 20_000 : 100_000;
const EDITS = quick ? 10 : 40;
/** The edit that re-checks every file is slow by nature: fewer of it. */
const WIDE_EDITS = quick ? 4 : 10;
const bin = fileURLToPath(new URL("../packages/svcgen/bin/svcgen.js", import.meta.url));

const folder = await mkdtemp(path.join(tmpdir(), "svcgen-lsp-bench-"));
const child = spawn(
  process.execPath,
  [
    ...(process.env.LSP_PROF ? ["--cpu-prof", "--cpu-prof-dir=" + process.env.LSP_PROF] : []),
    bin,
    "lsp",
    "--stdio",
  ],
  {
    stdio: ["pipe", "pipe", "inherit"],
  },
);
const connection = createProtocolConnection(
  new StreamMessageReader(child.stdout),
  new StreamMessageWriter(child.stdin),
);
const waiting = new Map();
connection.onNotification("textDocument/publishDiagnostics", (params) => {
  const key = `${params.uri}#${params.version}`;
  waiting.get(key)?.(params.diagnostics);
  waiting.delete(key);
});
connection.listen();

try {
  const files = await writeIdl(folder, LINES);
  const lines = (await Promise.all(files.map((f) => readFile(f, "utf8")))).reduce(
    (n, text) => n + text.split("\n").length - 1,
    0,
  );
  const root = pathToFileURL(folder).href;
  const loadStart = performance.now();
  await connection.sendRequest("initialize", {
    processId: process.pid,
    rootUri: root,
    workspaceFolders: [{ uri: root, name: "bench" }],
    capabilities: {},
    initializationOptions: { lint: !noLint },
  });
  const loadMs = performance.now() - loadStart;
  await connection.sendNotification("initialized", {});

  const leaf = files.find((file) => file.includes("part0010")) ?? files[files.length - 1];
  const shared = files.find((file) => file.endsWith("common.svc"));
  const documents = new Map();
  for (const file of [leaf, shared]) {
    const text = await readFile(file, "utf8");
    documents.set(file, { uri: pathToFileURL(file).href, text, version: 1 });
    const opened = diagnosticsOf(pathToFileURL(file).href, 1);
    await connection.sendNotification("textDocument/didOpen", {
      textDocument: { uri: pathToFileURL(file).href, languageId: "svc", version: 1, text },
    });
    await opened;
  }

  const leafText = documents.get(leaf).text;
  const sharedText = documents.get(shared).text;
  const firstRecord = /record (Sample\d+) \{/.exec(leafText)[1];
  const edits = {
    "leaf-error": [leaf, leafText.replace("  small: int32;", "  small: Int32x;"), leafText],
    "leaf-rename": [
      leaf,
      leafText.replaceAll(new RegExp(`\\b${firstRecord}\\b`, "g"), `${firstRecord}Renamed`),
      leafText,
    ],
    "shared-body": [
      shared,
      sharedText.replace("  currency: string;", "  currency: string;\n  note?: string;"),
      sharedText,
    ],
    "shared-rename": [shared, sharedText.replace("record Money", "record Cash"), sharedText],
  };

  const rows = [];
  for (const [name, [file, changed, original]] of Object.entries(edits)) {
    const times = [];
    let errors = 0;
    const count = name === "shared-rename" ? WIDE_EDITS : EDITS;
    const cpuBefore = serverCpuMs();
    for (let i = 0; i < count; i++) {
      const { ms, diagnostics } = await edit(file, i % 2 === 0 ? changed : original);
      times.push(ms);
      errors = Math.max(errors, diagnostics.length);
    }
    const cpuMs = serverCpuMs() - cpuBefore;
    // Leave the file as it was for the next kind of edit.
    if (count % 2 === 1) await edit(file, original);
    rows.push({
      edit: name,
      ...stats(times),
      "server cpu ms/edit": Number.isNaN(cpuMs) ? "n/a" : Math.round((cpuMs / count) * 10) / 10,
      "max errors shown": errors,
    });
  }

  const summary = {
    value: rows[0].median,
    unit: "ms",
    better: "lower",
    extra: { lines, files: files.length, loadMs: Math.round(loadMs) },
  };
  for (const row of rows) {
    summary.extra[`${row.edit}-p50`] = row.median;
    summary.extra[`${row.edit}-p95`] = row.p95;
    if (typeof row["server cpu ms/edit"] === "number") {
      summary.extra[`${row.edit}-cpu`] = row["server cpu ms/edit"];
    }
  }
  if (json) console.log(JSON.stringify(summary));
  else {
    console.log(
      `${lines} lines in ${files.length} files; initialize (load and check all) ${Math.round(loadMs)} ms`,
    );
    console.table(rows);
  }

  async function edit(file, text) {
    const document = documents.get(file);
    document.version++;
    document.text = text;
    const published = diagnosticsOf(document.uri, document.version);
    const start = performance.now();
    await connection.sendNotification("textDocument/didChange", {
      textDocument: { uri: document.uri, version: document.version },
      contentChanges: [{ text }],
    });
    const diagnostics = await published;
    return { ms: performance.now() - start, diagnostics };
  }
} finally {
  await connection.sendRequest("shutdown").catch(() => {});
  await connection.sendNotification("exit").catch(() => {});
  await new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve();
    }, 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  connection.dispose();
  await rm(folder, { recursive: true, force: true });
}

function diagnosticsOf(uri, version) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no diagnostics for ${uri} v${version}`)),
      60_000,
    );
    waiting.set(`${uri}#${version}`, (diagnostics) => {
      clearTimeout(timer);
      resolve(diagnostics);
    });
  });
}

/** CPU time the server process has used (user + system), from /proc; NaN elsewhere. */
function serverCpuMs() {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1].split(" ");
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

function stats(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const round = (ms) => Math.round(ms * 10) / 10;
  return { median: round(at(0.5)), p95: round(at(0.95)), max: round(sorted[sorted.length - 1]) };
}
