import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { ErrorCode, RpcError, connectHttp, type Connection } from "@svcgen/runtime";
import { startServer, type Running } from "./harness.js";
import { ItemNotFound, ShopDescriptor, type Point } from "./services.js";

let running: Running;
let connection: Connection;
beforeAll(async () => {
  running = await startServer();
  connection = connectHttp(running.url);
});
afterAll(async () => {
  await connection.close();
  await running.close();
});

const call = <R>(
  method: string,
  args: unknown[],
  options?: { signal?: AbortSignal; timeoutMs?: number },
) => connection.call<R>(ShopDescriptor, method, args, options);

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RpcError);
    return error as RpcError;
  }
  throw new Error("expected a rejection");
}

describe("connectHttp", () => {
  test("calls with positional arguments and decodes the result", async () => {
    expect(await call<number>("add", [1, 2])).toBe(3);
    const point = await call<Point>("find", ["p1"]);
    expect(point).toEqual({ x: 1, y: 2, label: "one" });
    expect(await call("reset", [])).toBeUndefined();
    expect(await call("greet", [undefined])).toBe("hello nobody");
  });

  test("typed values survive the trip (int64, bytes, timestamp, union, map)", async () => {
    const tree = { value: 9007199254740993n, children: [{ value: 1n, children: [] }] };
    const result = await call("describe", [
      tree,
      "Green",
      { case: "label", value: "x" },
      new Uint8Array([1, 2, 3]),
      new Date("2026-01-02T03:04:05.000Z"),
      { a: ["b"] },
    ]);
    expect(result).toEqual({ depth: 2, color: "Green", shape: "label" });
  });

  test("a declared error arrives as its generated class", async () => {
    const error = await rejection(call("find", ["nope"]));
    expect(error).toBeInstanceOf(ItemNotFound);
    expect((error as ItemNotFound).id).toBe("nope");
    expect(error.code).toBe(ErrorCode.DeclaredError);
    expect(error.message).toBe("no item nope");
  });

  test("an undeclared failure is -32603 with the incident id", async () => {
    const error = await rejection(call("crash", []));
    expect(error.code).toBe(ErrorCode.InternalError);
    expect(error.data).toEqual({ incident: expect.any(String) });
  });

  test("arguments that do not fit are refused before sending", async () => {
    const error = await rejection(call("add", ["one", 2]));
    expect(error.code).toBe(ErrorCode.InvalidParams);
  });

  test("a callback-taking method says it needs connectWebSocket", async () => {
    const error = await rejection(call("watch", [{ tick() {} }]));
    expect(error.message).toMatch(/connectWebSocket/);
  });

  test("aborting the signal rejects with -32002 and aborts the server's ctx.signal", async () => {
    const started = new Promise<AbortSignal>(
      (resolve) => (running.shop.events.slowStarted = resolve),
    );
    const controller = new AbortController();
    const pending = call("slow", [60_000], { signal: controller.signal });
    const serverSignal = await started;
    controller.abort();
    expect((await rejection(pending)).code).toBe(ErrorCode.Cancelled);
    if (!serverSignal.aborted) {
      await new Promise((resolve) => serverSignal.addEventListener("abort", resolve));
    }
    expect(serverSignal.aborted).toBe(true);
  });

  test("timeoutMs rejects with -32003", async () => {
    const error = await rejection(call("slow", [60_000], { timeoutMs: 50 }));
    expect(error.code).toBe(ErrorCode.TimedOut);
  });

  test("a short time limit fires on time while a longer one keeps its call running", async () => {
    const long = call<string>("slow", [300], { timeoutMs: 60_000 });
    const error = await rejection(call("slow", [60_000], { timeoutMs: 50 }));
    expect(error.code).toBe(ErrorCode.TimedOut);
    expect(await long).toBe("done");
  });

  test("a base URL with a path reaches a server mounted there", async () => {
    const mounted = await startServer({ base: "/api/v1" });
    const scoped = connectHttp(`${mounted.url}/`);
    try {
      expect(mounted.url).toMatch(/\/api\/v1$/);
      expect(await scoped.call(ShopDescriptor, "add", [2, 3])).toBe(5);
    } finally {
      await scoped.close();
      await mounted.close();
    }
  });

  test("a server that is not there is -32007", async () => {
    const gone = await startServer();
    await gone.close();
    const orphan = connectHttp(gone.url);
    try {
      const error = await rejection(orphan.call(ShopDescriptor, "add", [1, 2]));
      expect(error.code).toBe(ErrorCode.ConnectionClosed);
    } finally {
      await orphan.close();
    }
  });

  test("headers reach authenticate", async () => {
    const secured = await startServer({
      authenticate: (req) =>
        req.headers.authorization === "Bearer t" ? { user: "ann" } : undefined,
    });
    const good = connectHttp(secured.url, { headers: { authorization: "Bearer t" } });
    const bad = connectHttp(secured.url);
    try {
      expect(await good.call(ShopDescriptor, "whoami", [])).toEqual({ user: "ann" });
      expect((await rejection(bad.call(ShopDescriptor, "whoami", []))).code).toBe(
        ErrorCode.Unauthenticated,
      );
    } finally {
      await good.close();
      await bad.close();
      await secured.close();
    }
  });
});
