/**
 * `parseSource` for the program loader: chevrotain (with the hundreds of modules it loads,
 * about half a second of start-up) is imported only when a file is not well formed, so
 * `svcgen check` and `generate` on correct IDL never load it.
 */
import { parseWellFormed } from "./fast-parse.js";
import type { ParseResult } from "./parse.js";

export async function parseSourceLazily(source: string): Promise<ParseResult> {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const file = parseWellFormed(text);
  if (file) return { file, problems: [] };
  const { parseWithRecovery } = await import("./parse.js");
  return parseWithRecovery(text);
}
