/**
 * The converters of one record type, built once from its resolved fields.
 *
 * Where the platform allows it, the converters are generated as straight-line code with
 * one statement per field, so that every property access is a constant key at its own
 * site: engines then optimize them like hand-written code (an order of magnitude faster
 * than a loop over field descriptions, whose keyed accesses see every field name). The
 * only text spliced into the code is each field name as a JSON string literal; converters
 * and messages are passed in as values. Where `new Function` is refused (a Content
 * Security Policy without 'unsafe-eval'), the same logic runs as a loop.
 */
import type { JsonValue } from "./schema.js";
import type { Reader, Writer } from "./compiled.js";
import { Mismatch } from "./mismatch.js";
import { isJsonObject, setOwn } from "./objects.js";

/** A resolved field, with what its converters need. */
export interface RecordField {
  readonly name: string;
  readonly optional: boolean;
  /** For `json` fields null is a value; for every other type null means absent. */
  readonly nullIsValue: boolean;
  /** Named like an Object.prototype property: read own values only, define on output. */
  readonly guarded: boolean;
  /** What a missing value should have been, for the `required` error. */
  readonly expected: string;
  readonly read: Reader<unknown>;
  readonly write: Writer<unknown>;
}

export interface RecordConverters {
  readonly read: Reader<object>;
  readonly write: Writer<object>;
}

const hasOwn = Object.hasOwn;

let generation: boolean | undefined;

/** Whether code generation is used: probed once, unless set by useCodeGeneration. */
function generationAvailable(): boolean {
  if (generation === undefined) {
    try {
      generation = new Function("return 1")() === 1;
    } catch {
      generation = false;
    }
  }
  return generation;
}

/**
 * Forces (true) or forbids (false) generated converters for records compiled from now on;
 * undefined restores probing. For tests of both strategies.
 */
export function useCodeGeneration(enabled: boolean | undefined): void {
  generation = enabled;
}

export function compileRecord(fields: readonly RecordField[]): RecordConverters {
  if (generationAvailable()) {
    try {
      return { read: generate(fields, "read"), write: generate(fields, "write") };
    } catch {
      // Refused after all (e.g. a policy applied later): fall through to the loop.
    }
  }
  return { read: interpret(fields, "read"), write: interpret(fields, "write") };
}

type Direction = "read" | "write";
/** Either converter: the two directions share their code shape. */
type Converter = (input: any) => any;

function generate(fields: readonly RecordField[], direction: Direction): Converter {
  const lines: string[] = [];
  lines.push(`"use strict";`);
  fields.forEach((_, i) => lines.push(`const convert${i} = converters[${i}];`));
  lines.push(`return function ${direction}Record(input) {`);
  lines.push(
    `  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new Mismatch("object");`,
  );
  lines.push(`  const out = {};`);
  lines.push(`  let value, at = 0;`);
  lines.push(`  try {`);
  fields.forEach((field, i) => {
    const key = JSON.stringify(field.name);
    lines.push(
      field.guarded
        ? `    value = hasOwn(input, ${key}) ? input[${key}] : undefined;`
        : `    value = input[${key}];`,
    );
    const absent = field.nullIsValue
      ? `value === undefined`
      : `value === undefined || value === null`;
    const store = field.guarded
      ? `setOwn(out, ${key}, convert${i}(value));`
      : `out[${key}] = convert${i}(value);`;
    if (field.optional) {
      lines.push(`    if (!(${absent})) { at = ${i}; ${store} }`);
    } else {
      lines.push(`    at = ${i};`);
      lines.push(`    if (${absent}) throw new Mismatch(expected[${i}], "required");`);
      lines.push(`    ${store}`);
    }
  });
  lines.push(`  } catch (error) {`);
  lines.push(`    if (error instanceof Mismatch) error.path.push(names[at]);`);
  lines.push(`    throw error;`);
  lines.push(`  }`);
  lines.push(`  return out;`);
  lines.push(`};`);
  const factory = new Function(
    "Mismatch",
    "hasOwn",
    "setOwn",
    "names",
    "expected",
    "converters",
    lines.join("\n"),
  ) as (...args: unknown[]) => Converter;
  return factory(
    Mismatch,
    hasOwn,
    setOwn,
    fields.map((field) => field.name),
    fields.map((field) => field.expected),
    fields.map((field) => (direction === "read" ? field.read : field.write)),
  );
}

function interpret(fields: readonly RecordField[], direction: Direction): Converter {
  const converters = fields.map((field) => (direction === "read" ? field.read : field.write));
  return (input: unknown) => {
    if (!isJsonObject(input)) throw new Mismatch("object");
    const out: Record<string, unknown> = {};
    let i = 0;
    try {
      for (; i < fields.length; i++) {
        const field = fields[i]!;
        const value = field.guarded
          ? hasOwn(input, field.name)
            ? input[field.name]
            : undefined
          : input[field.name];
        if (value === undefined || (value === null && !field.nullIsValue)) {
          if (field.optional) continue;
          throw new Mismatch(field.expected, "required");
        }
        const converted = converters[i]!(value);
        if (field.guarded) setOwn(out, field.name, converted);
        else out[field.name] = converted;
      }
    } catch (error) {
      if (error instanceof Mismatch) error.path.push(fields[i]!.name);
      throw error;
    }
    return out;
  };
}
