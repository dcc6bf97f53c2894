/**
 * A deterministic, realistic IDL corpus of about N lines that uses every construct of the
 * language: packages, imports, docs, every annotation, enums, records with every type shape,
 * recursive records, unions, errors, callbacks (oneway and awaited), interfaces with callback
 * parameters, optional parameters and throws. Shared by the check and generation benchmarks.
 *
 *   makeIdl(lines) → [{ path, text }, ...]   paths relative, "/"-separated; "common.svc" first
 *   writeIdl(folder, lines) → Promise<string[]>   writes them below `folder`, returns the paths
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

const LINES_PER_FILE = 500;

const common = `/// Types shared by every service of the corpus.
package corpus.common;

/// An amount of money in minor units.
record Money {
  currency: string;
  minorUnits: int64;
}

enum Severity { Info, Warning, Error, }

@status(404)
error NotFound { key: string; }
`;

/** One block of declarations (about 75 lines), all names suffixed with `n`. */
function block(n) {
  return `
/// Colours of block ${n}.
enum Color${n} {
  Red,
  Green,
  /// Prefer Green.
  @deprecated("use Green")
  Lime,
}

/// Every primitive, optional fields, lists, maps and references.
record Sample${n} {
  flag: bool;
  small: int32;
  big: int64;
  ratio: float64;
  label: string;
  blob: bytes;
  at: timestamp;
  extra: json;
  nickname?: string;
  matrix: int32[][];
  byName: map<string, Color${n}>;
  nested: map<string, map<string, int64[]>>;
  price: corpus.common.Money;
  severity?: corpus.common.Severity;
  delete: string;
}

/// A recursive record.
record Tree${n} {
  value: string;
  children: Tree${n}[];
}

/// A recursive union.
union Expr${n} {
  number: float64;
  sum: Expr${n}[];
  sample: Sample${n};
}

@status(409)
error Conflict${n} {
  key: string;
}

@deprecated
error Invalid${n} {}

/// Pushed to the client.
callback Watcher${n} {
  /// Fire-and-forget.
  oneway changed(key: string, value: Expr${n});
  approve(key: string, sample: Sample${n}): bool;
  flush();
}

/// A service of block ${n}.
interface Service${n} {
  /// Echoes a record.
  @idempotent
  echo(sample: Sample${n}): Sample${n};
  find(key: string, limit?: int32, color?: Color${n}): Expr${n}[] throws corpus.common.NotFound, Invalid${n};
  watch(prefix: string, watcher: Watcher${n}, tree?: Tree${n}): string throws Conflict${n};
  @deprecated("use echo")
  ping();
  oneway notify(message: string);
  totals(): map<string, float64>;
}
`;
}

const BLOCK_LINES = block(0).split("\n").length - 1;

export function makeIdl(lines) {
  const files = [{ path: "common.svc", text: common }];
  let remaining = Math.max(0, lines - common.split("\n").length);
  let fileIndex = 0;
  let blockIndex = 0;
  while (remaining > 0) {
    let text = `/// Services of part ${fileIndex}.\npackage corpus.part${fileIndex};\n\nimport "../common.svc";\n`;
    let fileLines = 4;
    while (fileLines < LINES_PER_FILE && remaining > fileLines) {
      text += block(blockIndex++);
      fileLines += BLOCK_LINES;
    }
    remaining -= fileLines;
    files.push({ path: `parts/part${String(fileIndex).padStart(4, "0")}.svc`, text });
    fileIndex++;
  }
  return files;
}

export async function writeIdl(folder, lines) {
  const written = [];
  for (const file of makeIdl(lines)) {
    const target = path.join(folder, ...file.path.split("/"));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.text);
    written.push(target);
  }
  return written;
}
