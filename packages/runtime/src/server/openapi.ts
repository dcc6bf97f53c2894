/**
 * The OpenAPI 3.1 document of the REST surface, built from the registered descriptors by
 * walking their schemas. Named types (records, enums, unions, errors) become
 * `components/schemas` entries referenced by `$ref`, which is also what makes recursive
 * records finite. Methods that take a callback are listed, marked WebSocket-only, with the
 * 400 that REST answers them.
 */
import type { AnySchema } from "../codec/schema.js";
import type { ErrorDescriptor, MethodDescriptor, ServiceDescriptor } from "../descriptors.js";
import { problemContentType } from "../protocol/problem.js";

type JsonSchema = { [key: string]: unknown };

export interface OpenApiInfo {
  readonly title?: string;
  readonly version?: string;
  readonly description?: string;
  /** The mount path (`{base}`), emitted as the server URL. */
  readonly base?: string;
  /** Whether the server has `authenticate`: then every operation needs `securitySchemes`. */
  readonly authenticated?: boolean;
  /** Default `{ bearerAuth: { type: "http", scheme: "bearer" } }`. */
  readonly securitySchemes?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** The failures any REST call may answer, besides its declared errors. */
const standardResponses: Readonly<
  Record<string, { readonly name: string; readonly description: string }>
> = {
  "400": { name: "BadRequest", description: "Malformed JSON or invalid parameters (see `errors`)" },
  "401": { name: "Unauthenticated", description: "Missing or bad credentials" },
  "403": { name: "Forbidden", description: "Not allowed" },
  "404": { name: "NotFound", description: "Unknown service or method" },
  "408": { name: "RequestTimeout", description: "The request body did not arrive in time" },
  "413": { name: "PayloadTooLarge", description: "Request body over the limit" },
  "415": { name: "UnsupportedMediaType", description: "The body is not application/json" },
  "500": {
    name: "InternalError",
    description: "The implementation failed; see `incident` in the server log",
  },
  "503": { name: "Unavailable", description: "The server is shutting down" },
  default: {
    name: "OtherFailure",
    description: "A protocol error the implementation raised on purpose (see `code`)",
  },
};

/** RFC 9110: every 401 says how to authenticate. */
const challengeHeader = {
  "WWW-Authenticate": {
    description: "The authentication challenge (RFC 9110), e.g. `Bearer`",
    schema: { type: "string" },
  },
};

/**
 * The wire text of an int64: canonical decimal within [-2^63, 2^63 - 1], exactly what the
 * decoder accepts (no sign on zero, no leading zeros, and no 19-digit number out of range).
 */
export const int64Pattern = `^(0|-?[1-9][0-9]{0,17}|${notAbove("9223372036854775807")}|-(${notAbove("9223372036854775808")}))$`;

/**
 * The RFC 3339 date-times the decoder accepts: `format: date-time` checks the calendar;
 * this also rules out what Date cannot hold or the decoder refuses: a leap second (`:60`),
 * a space for `T`, an offset without its colon.
 */
export const timestampPattern =
  "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]" +
  "(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$";

/** An alternation matching the decimals of `limit`'s length (no leading zero) up to `limit`. */
function notAbove(limit: string): string {
  const alternatives: string[] = [];
  for (let i = 0; i < limit.length; i++) {
    const digit = Number(limit[i]);
    const lowest = i === 0 ? 1 : 0;
    if (digit > lowest) {
      const rest = limit.length - i - 1;
      alternatives.push(`${limit.slice(0, i)}[${lowest}-${digit - 1}][0-9]{${rest}}`);
    }
  }
  alternatives.push(limit);
  return alternatives.join("|");
}

const problemSchema: JsonSchema = {
  type: "object",
  description: "RFC 9457 problem details, with the JSON-RPC code of the failure",
  required: ["type", "title", "status", "detail", "code"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    code: { type: "integer", description: "JSON-RPC error code" },
    errors: {
      type: "array",
      items: {
        type: "object",
        required: ["pointer", "detail"],
        properties: { pointer: { type: "string" }, detail: { type: "string" } },
      },
    },
    error: { type: "string", description: "Wire name of a declared error" },
    data: { description: "Fields of a declared error" },
    incident: { type: "string", description: "Id of the logged internal failure" },
  },
};

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** `{ description }` when there is a doc comment. */
function described(doc: string | undefined): { description?: string } {
  return doc === undefined || doc.trim() === "" ? {} : { description: doc };
}

/** An enum's doc, then a line per documented member. */
function enumDescription(
  doc: string | undefined,
  members: Readonly<Record<string, string>> | undefined,
): string | undefined {
  const lines = Object.entries(members ?? {}).map(([name, text]) => `- \`${name}\`: ${text}`);
  const parts = [doc, lines.length > 0 ? lines.join("\n") : undefined].filter(Boolean);
  return parts.length === 0 ? undefined : parts.join("\n\n");
}

class SchemaWriter {
  readonly components: Record<string, JsonSchema> = {};

  /** The JSON Schema of a value of `schema`, adding named types to `components` once. */
  of(schema: AnySchema): JsonSchema {
    switch (schema.kind) {
      case "bool":
        return { type: "boolean" };
      case "int32":
        return { type: "integer", format: "int32", minimum: -2147483648, maximum: 2147483647 };
      case "int64":
        return {
          type: "string",
          format: "int64",
          pattern: int64Pattern,
          description:
            "A 64-bit integer as decimal text (-9223372036854775808 to 9223372036854775807)",
        };
      case "float64":
        return {
          oneOf: [{ type: "number" }, { type: "string", enum: ["NaN", "Infinity", "-Infinity"] }],
        };
      case "string":
        return { type: "string" };
      case "bytes":
        return { type: "string", contentEncoding: "base64" };
      case "timestamp":
        return { type: "string", format: "date-time", pattern: timestampPattern };
      case "json":
        return {};
      case "list":
        return { type: "array", items: this.of(schema.element) };
      case "map":
        return { type: "object", additionalProperties: this.of(schema.value) };
      case "enum":
        return this.#named(schema.name, () => ({
          type: "string",
          enum: [...schema.members],
          ...described(enumDescription(schema.doc, schema.memberDocs)),
        }));
      case "record":
        return this.#named(schema.name, () => ({
          ...this.#object(schema.fields),
          ...described(schema.doc),
        }));
      case "union":
        return this.#named(schema.name, () => ({
          oneOf: schema.cases.map((c) => ({
            type: "object",
            properties: { [c.name]: this.of(c.schema) },
            required: [c.name],
            additionalProperties: false,
            ...described(c.doc),
          })),
          ...described(schema.doc),
        }));
    }
  }

  /** The problem document of a declared error, named `<error>.Problem`. */
  errorProblem(error: ErrorDescriptor): JsonSchema {
    return this.#named(`${error.name}.Problem`, () => ({
      ...described(error.doc),
      allOf: [
        ref("Problem"),
        {
          type: "object",
          required: ["error", "data"],
          properties: {
            error: { const: error.name },
            code: { const: -32000 },
            data: this.of(error.fields),
          },
        },
      ],
    }));
  }

  params(method: MethodDescriptor): JsonSchema {
    const valueParams = method.params.filter((p) => p.schema !== undefined);
    return this.#object(
      valueParams.map((p) => ({
        name: p.name,
        optional: p.optional,
        schema: p.schema!,
        ...(p.doc !== undefined && { doc: p.doc }),
      })),
    );
  }

  #object(
    fields: readonly { name: string; optional: boolean; schema: AnySchema; doc?: string }[],
  ): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    for (const field of fields) {
      // OpenAPI 3.1 schemas are JSON Schema 2020-12: a description may sit beside a $ref.
      const value = this.of(field.schema);
      Object.defineProperty(properties, field.name, {
        value: field.doc === undefined ? value : { ...value, description: field.doc },
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    const required = fields.filter((f) => !f.optional).map((f) => f.name);
    return { type: "object", properties, ...(required.length > 0 ? { required } : {}) };
  }

  #named(name: string, build: () => JsonSchema): JsonSchema {
    if (!(name in this.components)) {
      this.components[name] = {}; // placeholder first: a recursive reference finds it
      this.components[name] = build();
    }
    return ref(name);
  }
}

function jsonContent(schema: JsonSchema) {
  return { "application/json": { schema } };
}

function problemContent(schema: JsonSchema) {
  return { [problemContentType]: { schema } };
}

function operation(method: MethodDescriptor, schemas: SchemaWriter): JsonSchema {
  const responses: Record<string, unknown> = {};
  const common = {
    operationId: method.wireName.replace(/\./g, "_"),
    tags: [method.owner.name],
    ...(method.deprecated !== undefined ? { deprecated: true } : {}),
  };
  const deprecation =
    typeof method.deprecated === "string" ? `Deprecated: ${method.deprecated}` : undefined;
  const doc = method.doc?.trim() === "" ? undefined : method.doc;
  if (method.takesCallback) {
    responses["400"] = {
      description: "This method takes a callback: REST refuses it; call it over the WebSocket",
      content: problemContent(ref("Problem")),
    };
    return {
      ...common,
      description: [
        doc,
        "Takes a callback, so it needs the WebSocket transport (`{base}/ws`, JSON-RPC method " +
          `\`${method.wireName}\`); over REST it answers 400.`,
        deprecation,
      ]
        .filter(Boolean)
        .join("\n\n"),
      "x-svcgen-websocket-only": true,
      responses,
    };
  }
  if (method.returns === undefined) responses["204"] = { description: "Done (void)" };
  else
    responses["200"] = {
      description: "The result",
      content: jsonContent(schemas.of(method.returns)),
    };

  const byStatus = new Map<number, JsonSchema[]>();
  for (const error of method.throws) {
    byStatus.set(error.status, [
      ...(byStatus.get(error.status) ?? []),
      schemas.errorProblem(error),
    ]);
  }
  for (const [status, { name }] of Object.entries(standardResponses)) {
    if (!byStatus.has(Number(status)))
      responses[status] = { $ref: `#/components/responses/${name}` };
  }
  for (const [status, declared] of byStatus) {
    const standard = standardResponses[String(status)];
    const variants = standard ? [ref("Problem"), ...declared] : declared;
    responses[String(status)] = {
      description: [
        standard?.description,
        ...method.throws.filter((e) => e.status === status).map((e) => e.name),
      ]
        .filter(Boolean)
        .join("; "),
      // anyOf, not oneOf: a declared error's problem is also a Problem, so both would match.
      content: problemContent(variants.length === 1 ? variants[0]! : { anyOf: variants }),
      ...(status === 401 && { headers: challengeHeader }),
    };
  }
  const description = [doc, deprecation].filter(Boolean).join("\n\n");
  return {
    ...common,
    ...(description !== "" && { description }),
    requestBody: {
      required: method.params.some((p) => !p.optional),
      description: "Named parameters (a JSON array of positional parameters is accepted too)",
      content: jsonContent(schemas.params(method)),
    },
    responses,
  };
}

/** The OpenAPI 3.1 document of `services` as served under `info.base`. */
export function buildOpenApi(
  services: readonly ServiceDescriptor<any>[],
  info: OpenApiInfo = {},
): JsonSchema {
  const schemas = new SchemaWriter();
  const paths: Record<string, unknown> = {};
  for (const service of services) {
    for (const method of service.methods.values()) {
      paths[`/${service.name}/${method.name}`] = { post: operation(method, schemas) };
    }
  }
  const responses: Record<string, unknown> = {};
  for (const [status, { name, description }] of Object.entries(standardResponses)) {
    responses[name] = {
      description,
      ...(status === "401" && { headers: challengeHeader }),
      content: problemContent(ref("Problem")),
    };
  }
  const securitySchemes = info.authenticated
    ? (info.securitySchemes ?? { bearerAuth: { type: "http", scheme: "bearer" } })
    : undefined;
  return {
    openapi: "3.1.0",
    info: {
      title: info.title ?? "svcgen services",
      version: info.version ?? "1.0.0",
      description:
        info.description ??
        `REST surface of ${services.map((s) => s.name).join(", ") || "no services"}.`,
    },
    servers: [{ url: info.base ?? "/" }],
    ...(securitySchemes && {
      security: [Object.fromEntries(Object.keys(securitySchemes).map((name) => [name, []]))],
    }),
    tags: services.map((s) => ({
      name: s.name,
      description: [s.doc, `contract ${s.contractHash}`].filter(Boolean).join("\n\n"),
    })),
    paths,
    components: {
      schemas: { Problem: problemSchema, ...schemas.components },
      responses,
      ...(securitySchemes && { securitySchemes }),
    },
  };
}
