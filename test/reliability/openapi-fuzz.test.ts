/**
 * The REST surface fuzzed from its own OpenAPI document, as a schema-driven outside client
 * would: requests built from the documented request schemas (and mutations of them) to
 * every operation of every example service, answered by implementations that return
 * documented values or throw documented errors. Every answer must be one the document
 * describes (status, content type, body schema), none may be a 5xx, and a request the
 * document says is valid must not be refused as invalid.
 */
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import fc from "fast-check";
import { RpcError, RpcServer, type ServiceDescriptor } from "@svcgen/runtime";
import { CalculatorDescriptor } from "../../generated/calculator.js";
import { ChatRoomDescriptor } from "../../generated/chat.js";
import { EmptyDescriptor, EverythingDescriptor } from "../../generated/features/everything.js";
import { LongWorkDescriptor } from "../../generated/longwork.js";
import { CounterDescriptor, ShopDescriptor } from "../http/services.js";
import { AnswerValidator, arbitraryOf } from "../support/openapi.js";
import { fuzzRuns, fuzzTimeout } from "./fuzz-runs.js";

const services: ServiceDescriptor<any>[] = [
  ShopDescriptor,
  CounterDescriptor,
  CalculatorDescriptor,
  ChatRoomDescriptor,
  LongWorkDescriptor,
  EverythingDescriptor,
  EmptyDescriptor,
];

let server: RpcServer;
let url: string;
let document: any;
let validator: AnswerValidator;
let seed = 1;

/**
 * An implementation of `descriptor` whose every method answers a value drawn from the
 * document's schema of its result, or now and then throws one of its declared errors.
 */
function implementationOf(descriptor: ServiceDescriptor<any>): object {
  const Implementation = class {
    static readonly descriptor = descriptor;
  };
  const instance = new Implementation() as Record<string, unknown>;
  for (const method of descriptor.methods.values()) {
    const operation = document.paths[`/${descriptor.name}/${method.name}`].post;
    const resultSchema = operation.responses["200"]?.content["application/json"].schema;
    const results = resultSchema && arbitraryOf(resultSchema, document);
    // A method that takes a callback is never called over REST: nothing to draw.
    if (method.takesCallback) continue;
    const errors = method.throws.map((error) => ({
      error,
      fields: arbitraryOf({ $ref: `#/components/schemas/${error.name}` }, document, 4),
    }));
    // Own properties: an IDL method may be named like an Object.prototype member.
    Object.defineProperty(instance, method.name, {
      value: () => {
        const [draw] = fc.sample(fc.integer({ min: 0, max: 3 }), { numRuns: 1, seed: seed++ });
        if (errors.length > 0 && draw === 0) {
          const { error, fields } = errors[seed % errors.length]!;
          const [json] = fc.sample(fields, { numRuns: 1, seed: seed++ });
          throw new RpcError(error, error.fields.decode(json) as object, "fuzzed");
        }
        if (results === undefined) return undefined;
        const [json] = fc.sample(results, { numRuns: 1, seed: seed++ });
        return method.returns!.decode(json);
      },
    });
  }
  return instance;
}

beforeAll(async () => {
  const documentServer = new RpcServer({ logger: false });
  for (const descriptor of services) {
    documentServer.register({ descriptor } as never, () => ({}), { instance: "perCall" });
  }
  const listening = await documentServer.listen();
  document = await (await fetch(`${listening.url}/openapi.json`)).json();
  await documentServer.close();

  server = new RpcServer({ logger: false });
  for (const descriptor of services) server.register(implementationOf(descriptor) as never);
  url = (await server.listen()).url;
  validator = new AnswerValidator(document);
});
afterAll(() => server.close());

interface Request {
  readonly path: string;
  /** The text sent as the body (undefined: no body). */
  readonly body: string | undefined;
  /** Built from the document's schema, unmutated: the server must accept it. */
  readonly documented: boolean;
}

function requestsFor(path: string, operation: any): fc.Arbitrary<Request> {
  const schema = operation.requestBody?.content["application/json"].schema;
  const valid = schema ? arbitraryOf(schema, document) : fc.constant({});
  const text = (value: unknown) => JSON.stringify(value);
  const request = (body: string | undefined, documented: boolean): Request => ({
    path,
    body,
    documented: documented && operation["x-svcgen-websocket-only"] !== true,
  });
  return fc.oneof(
    { weight: 6, arbitrary: valid.map((value) => request(text(value), true)) },
    // One parameter replaced by any JSON value.
    {
      weight: 2,
      arbitrary: fc
        .tuple(valid, fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }))
        .map(([value, key, junk]) => {
          const object = value as Record<string, unknown>;
          const names = Object.keys(object);
          const name = names.length > 0 ? names[key.length % names.length]! : key;
          return request(text({ ...object, [name]: junk }), false);
        }),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => request(text(v), false)) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.string(), fc.constantFrom("", "{", "[1,", "nul"))
        .map((raw) => request(raw, false)),
    },
  );
}

test(
  "every answer to requests built from the document is one the document describes",
  async () => {
    const operations = Object.entries(document.paths).map(
      ([path, item]) => [path, (item as any).post] as const,
    );
    expect(operations.length).toBeGreaterThan(20);
    const requests = fc.oneof(
      ...operations.map(([path, operation]) => requestsFor(path, operation)),
    );
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(requests, async ({ path, body, documented }) => {
        const response = await fetch(`${url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          ...(body !== undefined && { body }),
        });
        const text = await response.text();
        const answer = text === "" ? undefined : JSON.parse(text);
        seen.add(response.status);
        const refuse = (why: string) => {
          const context = { path, body: body?.slice(0, 300), status: response.status, answer };
          throw new Error(`${why}: ${JSON.stringify(context)}`);
        };
        if (response.status >= 500) refuse("a 5xx");
        const contentType = response.headers.get("content-type");
        const { problem } = validator.check(path, response.status, contentType, answer);
        if (problem !== undefined) refuse(`an answer outside the document (${problem})`);
        // A documented request reaches the implementation: a result or a declared error.
        if (documented && response.status >= 300 && answer?.code !== -32000) {
          refuse("a documented request refused");
        }
      }),
      { numRuns: fuzzRuns(250) },
    );
    // The sample reached results, declared errors and refusals alike.
    expect([...seen]).toEqual(expect.arrayContaining([200, 204, 400, 404]));
  },
  fuzzTimeout(60_000),
);
