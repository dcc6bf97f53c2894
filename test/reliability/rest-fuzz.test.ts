/**
 * REST and `/rpc` on random and mutated requests: every request is answered with a status
 * and body of the spec (never a 500, never a dropped connection), and a well-behaved
 * client calling at the same time keeps getting correct answers, during and after.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { connectHttp, type Connection } from "@svcgen/runtime";
import { fuzzRuns, fuzzTimeout } from "./fuzz-runs.js";
import { startServer, type Running } from "./harness.js";
import { anyJson, hostileText } from "./mutations.js";
import { LabDescriptor, SECRET } from "./services.js";

let running: Running;
let good: Connection;
beforeAll(async () => {
  running = await startServer({ limits: { maxBodyBytes: 4096, maxBatchSize: 8 } });
  good = connectHttp(running.url);
});
afterAll(async () => {
  await good.close();
  await running.close();
});

/** Keeps calling `echo` with fresh numbers and checks each answer, until stopped. */
function wellBehavedClient(): { stop(): Promise<number> } {
  let running = true;
  let calls = 0;
  const loop = (async () => {
    while (running) {
      const n = calls++;
      expect(await good.call(LabDescriptor, "echo", [n])).toBe(n);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return calls;
    },
  };
}

const errorCodes = [
  -32700, -32600, -32601, -32602, -32603, -32000, -32001, -32002, -32003, -32004, -32005, -32006,
  -32007,
];
const restStatuses = [200, 204, 400, 404, 405, 413, 415];

const restPaths = [
  "/vault.Vault/echo",
  "/vault.Vault/check",
  "/lab.Lab/echo",
  "/lab.Lab/hold",
  "/lab.Lab/wait",
  "/vault.Vault/nope",
  "/nope.Nope/echo",
  "/vault.Vault/",
  "/vault.Vault/echo/extra",
  "/%2e%2e/vault.Vault/echo",
  "/vault.Vault/__proto__",
  "/__proto__/constructor",
  "/vault.Vault/constructor",
];
const restBodies = [
  '{"text":"hi"}',
  '["hi"]',
  '{"n":7}',
  "[7]",
  '{"ms":1}',
  '{"probe":"p1"}',
  "{}",
  "",
  '{"doc":{"tags":{"a":1},"body":[1,{"__proto__":{"x":1}}],"constructor":"c"}}',
];
const contentTypes = [
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/problem+json",
  "",
  "application/x-www-form-urlencoded",
  "APPLICATION/JSON",
];

const rpcMessages = [
  '{"jsonrpc":"2.0","id":1,"method":"lab.Lab.echo","params":{"n":1}}',
  '{"jsonrpc":"2.0","id":"a","method":"vault.Vault.echo","params":["x"]}',
  '{"jsonrpc":"2.0","method":"lab.Lab.echo","params":[2]}',
  '[{"jsonrpc":"2.0","id":1,"method":"lab.Lab.echo","params":[1]},{"jsonrpc":"2.0","id":2,"method":"$/contract"}]',
  '{"jsonrpc":"2.0","id":3,"method":"lab.Lab.hold","params":{"probe":"p"}}',
  '{"jsonrpc":"2.0","id":4,"method":"vault.Vault.check","params":{"doc":{"tags":{},"body":null}}}',
  "[]",
];

function expectProblem(status: number, body: any): void {
  expect(body).toMatchObject({ status });
  expect(typeof body.title).toBe("string");
  expect(errorCodes).toContain(body.code);
}

function expectJsonRpcAnswer(body: any): void {
  for (const answer of [body].flat()) {
    expect(answer.jsonrpc).toBe("2.0");
    expect("id" in answer).toBe(true);
    if ("error" in answer) {
      expect(errorCodes).toContain(answer.error.code);
      expect(typeof answer.error.message).toBe("string");
    } else {
      expect("result" in answer).toBe(true);
    }
  }
}

async function send(path: string, method: string, contentType: string, body: string) {
  const response = await fetch(`${running.url}${path}`, {
    method,
    headers: contentType === "" ? {} : { "content-type": contentType },
    ...(method === "GET" || method === "HEAD" ? {} : { body }),
  });
  const text = await response.text();
  expect(text).not.toContain(SECRET);
  return { status: response.status, headers: response.headers, text };
}

describe("REST and /rpc under fuzzing", () => {
  test(
    "REST: every request gets a status of the spec and a problem document when it fails",
    async () => {
      const client = wellBehavedClient();
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...restPaths),
          fc.constantFrom("POST", "POST", "POST", "GET", "PUT", "DELETE"),
          fc.constantFrom(...contentTypes),
          fc.oneof(hostileText(restBodies), fc.constant("x".repeat(5000))),
          async (path, method, contentType, body) => {
            const answer = await send(path, method, contentType, body);
            expect(restStatuses).toContain(answer.status);
            if (answer.status === 405) expect(answer.headers.get("allow")).toBe("POST");
            if (answer.status >= 400) {
              expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json/);
              expectProblem(answer.status, JSON.parse(answer.text));
            }
          },
        ),
        { numRuns: fuzzRuns(150) },
      );
      expect(await client.stop()).toBeGreaterThan(0);
      expect(await good.call(LabDescriptor, "echo", [42])).toBe(42);
    },
    fuzzTimeout(30_000),
  );

  test(
    "/rpc: every body gets JSON-RPC answers with codes of the spec, or 204 for notifications",
    async () => {
      const client = wellBehavedClient();
      const body = fc.oneof(
        hostileText(rpcMessages),
        fc.array(anyJson, { maxLength: 10 }).map((batch) => JSON.stringify(batch)),
      );
      await fc.assert(
        fc.asyncProperty(body, async (text) => {
          const answer = await send("/rpc", "POST", "application/json", text);
          expect([200, 204, 413]).toContain(answer.status);
          if (answer.status === 200) expectJsonRpcAnswer(JSON.parse(answer.text));
          if (answer.status === 204) expect(answer.text).toBe("");
          if (answer.status === 413) expectProblem(413, JSON.parse(answer.text));
        }),
        { numRuns: fuzzRuns(150) },
      );
      expect(await client.stop()).toBeGreaterThan(0);
      expect(await good.call(LabDescriptor, "echo", [43])).toBe(43);
    },
    fuzzTimeout(30_000),
  );
});
