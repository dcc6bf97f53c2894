import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { RpcServer, defineService, t } from "@svcgen/runtime";
import { CalculatorBase } from "../../generated/calculator.js";
import { ChatRoomBase } from "../../generated/chat.js";
import { EmptyBase, EverythingBase } from "../../generated/features/everything.js";
import { LongWorkBase } from "../../generated/longwork.js";
import { errorsAgainstOas31, validateWithParsers } from "../support/openapi.js";
import { startServer, type Running } from "./harness.js";

let running: Running;
let doc: any;
let examplesDoc: any;
let securedDoc: any;
let verdicts: { swagger: string; readme: string }[];
let secured: Running;
beforeAll(async () => {
  running = await startServer({ base: "/api" });
  const response = await fetch(`${running.url}/openapi.json`);
  expect(response.status).toBe(200);
  doc = await response.json();
  examplesDoc = await examplesDocument();
  secured = await startServer({
    authenticate: (req) => (req.headers.authorization === "Bearer good" ? "ann" : undefined),
    openApi: { title: "Shop API", version: "2.3.4", description: "Things to buy." },
  });
  const securedResponse = await fetch(`${secured.url}/openapi.json`, {
    headers: { authorization: "Bearer good" },
  });
  securedDoc = await securedResponse.json();
  // One validating process for every document: starting it is the slow part.
  verdicts = await validateWithParsers([doc, examplesDoc, securedDoc]);
});
afterAll(async () => {
  await running.close();
  await secured.close();
});

/** The document of a server serving every example IDL (implementations are never called). */
async function examplesDocument(): Promise<any> {
  const server = new RpcServer({ logger: false });
  const unused = () => {
    throw new Error("not called: only the document is read");
  };
  for (const Base of [CalculatorBase, ChatRoomBase, LongWorkBase, EverythingBase, EmptyBase]) {
    server.register(Base, unused, { instance: "perCall" });
  }
  const { url } = await server.listen();
  try {
    return await (await fetch(`${url}/openapi.json`)).json();
  } finally {
    await server.close();
  }
}

describe("GET {base}/openapi.json", () => {
  test("is a valid OpenAPI 3.1 document: two parsers and the OAS 3.1 schema agree", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(verdicts[0]).toEqual({ swagger: "valid", readme: "valid" });
    expect(errorsAgainstOas31(doc)).toEqual([]);
  });

  test("a declared error sharing a status with the generic problem is anyOf, not oneOf", () => {
    const schema =
      doc.paths["/shop.Shop/find"].post.responses["404"].content["application/problem+json"].schema;
    expect(schema).toEqual({
      anyOf: [
        { $ref: "#/components/schemas/Problem" },
        { $ref: "#/components/schemas/shop.ItemNotFound.Problem" },
      ],
    });
    expect(JSON.stringify(doc)).not.toContain('"oneOf":[{"$ref":"#/components/schemas/Problem"}');
  });

  test("info is configurable; without authenticate there are no security schemes", () => {
    expect(doc.info).toMatchObject({ title: "svcgen services", version: "1.0.0" });
    expect(doc.security).toBeUndefined();
    expect(doc.components.securitySchemes).toBeUndefined();
    expect(securedDoc.info).toEqual({
      title: "Shop API",
      version: "2.3.4",
      description: "Things to buy.",
    });
  });

  test("with authenticate, security schemes apply to every operation and 401 names its challenge", () => {
    expect(securedDoc.components.securitySchemes).toEqual({
      bearerAuth: { type: "http", scheme: "bearer" },
    });
    expect(securedDoc.security).toEqual([{ bearerAuth: [] }]);
    const unauthenticated = securedDoc.components.responses.Unauthenticated;
    expect(unauthenticated.headers["WWW-Authenticate"].schema).toEqual({ type: "string" });
    expect(verdicts[2]).toEqual({ swagger: "valid", readme: "valid" });
    expect(errorsAgainstOas31(securedDoc)).toEqual([]);
  });

  test("has a path per method, served under the base", () => {
    expect(doc.servers).toEqual([{ url: "/api" }]);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/shop.Shop/add", "/shop.Shop/find", "/shop.Counter/next"]),
    );
  });

  test("request bodies are objects of named parameters", () => {
    const add = doc.paths["/shop.Shop/add"].post;
    const schema = add.requestBody.content["application/json"].schema;
    expect(schema.properties.a).toBeDefined();
    expect(schema.required).toEqual(["a", "b"]);
    expect(add.responses["200"].content["application/json"].schema).toBeDefined();
    expect(add.responses["415"]).toEqual({ $ref: "#/components/responses/UnsupportedMediaType" });
  });

  test("void is 204, declared errors are problems at their status", () => {
    expect(doc.paths["/shop.Shop/reset"].post.responses["204"]).toBeDefined();
    const notFound = doc.paths["/shop.Shop/find"].post.responses["404"];
    const schema = notFound.content["application/problem+json"].schema;
    expect(JSON.stringify(schema)).toContain("shop.ItemNotFound.Problem");
    const problem = doc.components.schemas["shop.ItemNotFound.Problem"];
    expect(problem.allOf[1].properties.data).toEqual({
      $ref: "#/components/schemas/shop.ItemNotFound",
    });
    expect(doc.components.schemas["shop.ItemNotFound"].properties.id).toEqual({ type: "string" });
  });

  test("value types map to JSON Schema", () => {
    const schemas = doc.components.schemas;
    const tree = schemas["shop.Tree"];
    expect(tree.properties.value).toMatchObject({ type: "string", pattern: expect.any(String) });
    expect(tree.properties.children).toEqual({
      type: "array",
      items: { $ref: "#/components/schemas/shop.Tree" },
    });
    expect(schemas["shop.Color"]).toEqual({ type: "string", enum: ["Red", "Green"] });
    expect(schemas["shop.Shape"].oneOf).toHaveLength(2);
    expect(schemas["shop.Shape"].oneOf[0]).toMatchObject({ required: ["circle"] });
    const describe = doc.paths["/shop.Shop/describe"].post;
    const props = describe.requestBody.content["application/json"].schema.properties;
    expect(props.blob).toEqual({ type: "string", contentEncoding: "base64" });
    expect(props.at).toMatchObject({ type: "string", format: "date-time" });
    expect(props.tags).toEqual({
      type: "object",
      additionalProperties: { type: "array", items: { type: "string" } },
    });
    expect(describe.deprecated).toBe(true);
  });

  test("callback-taking methods are marked WebSocket-only", () => {
    const watch = doc.paths["/shop.Shop/watch"].post;
    expect(watch["x-svcgen-websocket-only"]).toBe(true);
    expect(watch.description).toMatch(/WebSocket/);
    expect(watch.requestBody).toBeUndefined();
  });
});

test("the OpenAPI document of every example IDL is valid", () => {
  expect(Object.keys(examplesDoc.paths)).toEqual(
    expect.arrayContaining(["/calculator.Calculator/divide", "/chat.ChatRoom/join"]),
  );
  expect(verdicts[1]).toEqual({ swagger: "valid", readme: "valid" });
  expect(errorsAgainstOas31(examplesDoc)).toEqual([]);
});

describe("/// doc comments reach the document", () => {
  test("services, methods, records, enums and their members, errors (the example IDL)", () => {
    const add = examplesDoc.paths["/calculator.Calculator/add"].post;
    expect(add.description).toBe("a + b");
    const everything = examplesDoc.tags.find(
      (tag: any) => tag.name === "features.everything.Everything",
    );
    expect(everything.description).toMatch(/^A service using every kind of parameter/);
    expect(everything.description).toMatch(/contract [0-9a-f]{64}$/);
    const schemas = examplesDoc.components.schemas;
    expect(schemas["features.everything.Sample"].description).toBe(
      "Every primitive, optional fields, lists, maps and references.",
    );
    expect(schemas["features.everything.Color"].description).toBe(
      "Colours, with a deprecated member.\n\n- `Lime`: Prefer Green.",
    );
    expect(schemas["features.everything.Expr"].description).toBe(
      "A recursive union: an expression.",
    );
    expect(schemas["calculator.DivisionByZero.Problem"].description).toBe(
      "Raised by `divide` when the divisor is zero.",
    );
  });

  test("fields, parameters and union cases, beside their $ref when they have one", async () => {
    const Inner = t.record("docs.Inner", () => ({ n: t.int32 }), { doc: "Inner." });
    const Outer = t.record("docs.Outer", () => ({ inner: Inner, count: t.int32 }), {
      members: { inner: "The inner one.", count: "How many.", toString: "not a field" },
    });
    const Choice = t.union("docs.Choice", () => ({ a: t.string, b: t.int32 }), {
      members: { b: "The second case." },
    });
    const descriptor = defineService({
      name: "docs.Documented",
      contractHash: "d".repeat(64),
      doc: "Documented things.",
      methods: [
        {
          name: "take",
          doc: "Takes things.\nOn two lines.",
          deprecated: "use give",
          params: [
            { name: "outer", schema: Outer, doc: "The outer one." },
            { name: "choice", schema: Choice },
          ],
        },
      ],
    });
    const server = new RpcServer({ logger: false });
    server.register({ descriptor } as never, () => ({}), { instance: "perCall" });
    const { url } = await server.listen();
    try {
      const document = await (await fetch(`${url}/openapi.json`)).json();
      const take = document.paths["/docs.Documented/take"].post;
      expect(take.description).toBe("Takes things.\nOn two lines.\n\nDeprecated: use give");
      const body = take.requestBody.content["application/json"].schema;
      expect(body.properties.outer).toEqual({
        $ref: "#/components/schemas/docs.Outer",
        description: "The outer one.",
      });
      const outer = document.components.schemas["docs.Outer"];
      expect(outer.properties.inner).toEqual({
        $ref: "#/components/schemas/docs.Inner",
        description: "The inner one.",
      });
      expect(outer.properties.count.description).toBe("How many.");
      expect(Object.hasOwn(outer.properties, "toString")).toBe(false);
      expect(document.components.schemas["docs.Inner"].description).toBe("Inner.");
      expect(document.components.schemas["docs.Choice"].oneOf[1].description).toBe(
        "The second case.",
      );
      expect(document.tags[0].description).toBe(`Documented things.\n\ncontract ${"d".repeat(64)}`);
      expect(errorsAgainstOas31(document)).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
