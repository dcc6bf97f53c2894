import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { RpcServer } from "@svcgen/runtime";
import { CalculatorBase } from "../../generated/calculator.js";
import { ChatRoomBase } from "../../generated/chat.js";
import { EmptyBase, EverythingBase } from "../../generated/features/everything.js";
import { LongWorkBase } from "../../generated/longwork.js";
import { startServer, type Running } from "./harness.js";

let running: Running;
let doc: any;
let examplesDoc: any;
let verdicts: string[];
beforeAll(async () => {
  running = await startServer({ base: "/api" });
  const response = await fetch(`${running.url}/openapi.json`);
  expect(response.status).toBe(200);
  doc = await response.json();
  examplesDoc = await examplesDocument();
  // One validating process for both documents: starting it is the slow part.
  verdicts = await validateOpenApi([doc, examplesDoc]);
});
afterAll(() => running.close());

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

/**
 * Validates with @apidevtools/swagger-parser in a plain Node process: the parser loads an
 * ES module through require(), which Node supports but jest's module sandbox does not.
 */
function validateOpenApi(documents: unknown[]): Promise<string[]> {
  const script = `
    import SwaggerParser from "@apidevtools/swagger-parser";
    let text = "";
    process.stdin.on("data", (d) => (text += d)).on("end", async () => {
      for (const document of JSON.parse(text)) {
        try { await SwaggerParser.validate(document); console.log("valid"); }
        catch (error) { console.log("invalid: " + error.message); }
      }
    });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", () => resolve(output.trim().split("\n")));
    child.stdin.end(JSON.stringify(documents));
  });
}

describe("GET {base}/openapi.json", () => {
  test("is a valid OpenAPI 3.1 document", async () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(verdicts[0]).toBe("valid");
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
  expect(verdicts[1]).toBe("valid");
});
