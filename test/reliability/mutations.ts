/** Arbitraries for hostile wire input: valid messages, then mutated, truncated or replaced. */
import fc from "fast-check";

/** Fragments that break JSON in interesting ways or smuggle dangerous keys. */
const fragments = [
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  '"',
  "\\",
  "null",
  "true",
  "-0",
  "1e999",
  "NaN",
  "\u0000",
  '"__proto__":',
  '"constructor":{"prototype":{}}',
  '"id":',
  '"method":',
  '"params":',
  '"jsonrpc":"1.0"',
  "\ud800",
  "\uffff",
  "9".repeat(400),
  "[".repeat(300),
];

type Edit =
  | { kind: "delete"; at: number; length: number }
  | { kind: "insert"; at: number; text: string }
  | { kind: "truncate"; at: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant("delete" as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 5 }),
  }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 3 })),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
);

function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % (out.length + 1);
    if (e.kind === "delete") out = out.slice(0, at) + out.slice(at + e.length);
    else if (e.kind === "insert") out = out.slice(0, at) + e.text + out.slice(at);
    else out = out.slice(0, at);
  }
  return out;
}

/** JSON values where objects often carry the keys a server looks at. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom(null, true, 0, -1, 1.5, 2 ** 53, "", "x", "$/cancel", "2.0"),
    fc.string({ maxLength: 6 }),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom(
        "jsonrpc",
        "id",
        "method",
        "params",
        "result",
        "error",
        "__proto__",
        "callback",
        "text",
        "n",
      ),
      tie("value"),
      { maxKeys: 4 },
    ),
  ),
})).value;

/** Text derived from `valid` messages: as is, mutated, or replaced by random JSON or text. */
export function hostileText(valid: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...valid),
    fc
      .tuple(fc.constantFrom(...valid), fc.array(edit, { minLength: 1, maxLength: 4 }))
      .map(([text, edits]) => applyEdits(text, edits)),
    anyJson.map((value) => JSON.stringify(value) ?? "null"),
    fc.string({ maxLength: 40 }),
  );
}
