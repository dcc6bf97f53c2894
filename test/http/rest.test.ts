import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { post, startServer, type Running } from "./harness.js";

let running: Running;
beforeAll(async () => {
  running = await startServer();
});
afterAll(() => running.close());

const call = (path: string, body?: unknown, headers?: Record<string, string>) =>
  post(`${running.url}/${path}`, body, headers);

describe("REST success", () => {
  test("named parameters answer 200 with the JSON result", async () => {
    const answer = await call("shop.Shop/add", { a: 2, b: 3.5 });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.body).toBe(5.5);
  });

  test("positional parameters are accepted too", async () => {
    expect((await call("shop.Shop/add", [1, 2])).body).toBe(3);
  });

  test("a nested mismatch is reported at its JSON pointer", async () => {
    const answer = await call("shop.Shop/echo", { point: { x: 1.5, y: 1 } });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ pointer: "/point/x", detail: "expected int32" }]);
  });

  test("records round-trip with only declared keys", async () => {
    const answer = await call("shop.Shop/echo", { point: { x: 1, y: 2, extra: true } });
    expect(answer.body).toEqual({ x: 1, y: 2 });
  });

  test("an empty body means no parameters", async () => {
    expect((await call("shop.Shop/greet")).body).toBe("hello nobody");
    expect((await call("shop.Shop/greet", { name: "ann" })).body).toBe("hello ann");
  });

  test("a void method answers 204 with no body", async () => {
    const answer = await call("shop.Shop/reset", {});
    expect(answer.status).toBe(204);
    expect(answer.body).toBeUndefined();
    expect(running.shop.events.resets).toBeGreaterThan(0);
  });

  test("content type with a charset is accepted", async () => {
    const answer = await call(
      "shop.Shop/add",
      { a: 1, b: 1 },
      {
        "content-type": "application/json; charset=UTF-8",
      },
    );
    expect(answer.body).toBe(2);
  });

  test("perCall instances are fresh for every call", async () => {
    expect((await call("shop.Counter/next")).body).toBe(1);
    expect((await call("shop.Counter/next")).body).toBe(1);
  });

  test("200 concurrent calls all get their own answer", async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => call("shop.Shop/add", { a: i, b: 1 })),
    );
    expect(answers.map((a) => a.body)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });
});

describe("REST failures are problem documents", () => {
  test("invalid params: 400 with pointers", async () => {
    const answer = await call("shop.Shop/add", { a: "1" });
    expect(answer.status).toBe(400);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ status: 400, code: -32602, title: expect.any(String) });
    expect(answer.body.type).toEqual(expect.any(String));
    expect(answer.body.detail).toEqual(expect.any(String));
    expect(answer.body.errors).toEqual(
      expect.arrayContaining([
        { pointer: "/a", detail: expect.stringContaining("float64") },
        { pointer: "/b", detail: "required" },
      ]),
    );
  });

  test("malformed JSON: 400 with code -32700", async () => {
    const answer = await call("shop.Shop/add", '{"a": 1,');
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe(-32700);
  });

  test("unknown service or method: 404", async () => {
    expect((await call("shop.Nope/add", {})).status).toBe(404);
    const answer = await call("shop.Shop/nope", {});
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe(-32601);
    expect((await call("shop.Shop/__proto__", {})).status).toBe(404);
    expect((await call("shop.Shop/constructor", {})).status).toBe(404);
    expect((await post(`${running.url}/elsewhere`)).status).toBe(404);
  });

  test("percent-escaped path segments name the same method; a broken escape is 404", async () => {
    expect((await call("shop.Shop/%61dd", [2, 3])).body).toBe(5);
    expect((await call("shop%2EShop/add", [1, 2])).body).toBe(3);
    const broken = await call("shop.Shop/%E0%A4%A", [1, 2]);
    expect(broken.status).toBe(404);
    expect(broken.body.code).toBe(-32601);
  });

  test("wrong verb: 405 with Allow: POST", async () => {
    const response = await fetch(`${running.url}/shop.Shop/add`);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect(response.headers.get("content-type")).toMatch(/problem\+json/);
    await response.body?.cancel();
  });

  test("not application/json: 415", async () => {
    const plain = await call("shop.Shop/add", "a=1", { "content-type": "text/plain" });
    expect(plain.status).toBe(415);
    const form = await call("shop.Shop/add", "a=1", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(form.status).toBe(415);
    const latin = await call("shop.Shop/add", "{}", {
      "content-type": "application/json; charset=latin1",
    });
    expect(latin.status).toBe(415);
  });

  test("a callback-taking method: 400 saying it needs a WebSocket", async () => {
    const answer = await call("shop.Shop/watch", { ticker: "c1" });
    expect(answer.status).toBe(400);
    expect(answer.body.detail).toMatch(/WebSocket/);
  });

  test("a declared error: its @status, name and fields", async () => {
    const answer = await call("shop.Shop/find", { id: "zz" });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({
      status: 404,
      code: -32000,
      error: "shop.ItemNotFound",
      data: { id: "zz" },
      detail: "no item zz",
    });
  });

  test("an undeclared exception: 500 with an incident id and no message or stack", async () => {
    const logged: Record<string, unknown>[] = [];
    const local = await startServer({
      logger: { info() {}, warn() {}, error: (_message, fields) => logged.push(fields ?? {}) },
    });
    try {
      const answer = await post(`${local.url}/shop.Shop/crash`);
      expect(answer.status).toBe(500);
      expect(answer.body.code).toBe(-32603);
      expect(JSON.stringify(answer.body)).not.toMatch(/hunter2|at /);
      expect(answer.body.incident).toEqual(expect.any(String));
      expect(logged).toEqual([
        expect.objectContaining({
          incident: answer.body.incident,
          error: expect.stringContaining("hunter2"),
        }),
      ]);
      // A declared error that the method does not list is undeclared, too.
      const undeclared = await post(`${local.url}/shop.Shop/undeclared`);
      expect(undeclared.status).toBe(500);
      expect(undeclared.body.error).toBeUndefined();
    } finally {
      await local.close();
    }
  });
});
