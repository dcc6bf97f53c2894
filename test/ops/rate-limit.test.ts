/**
 * Rate limits: a token bucket per method and caller. A flood from one caller is refused
 * with -32006 (429 + Retry-After over REST) while another caller of the same method is
 * served, over REST, /rpc and WebSocket. Limits are per minute, so no bucket refills
 * while a test runs.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import type { IncomingMessage } from "node:http";
import {
  ErrorCode,
  RpcServer,
  connectHttp,
  connectWebSocket,
  type Connection,
  type RpcServerOptions,
} from "@svcgen/runtime";
import { post, startDesk, type Running } from "./harness.js";
import { DeskDescriptor, failure } from "./services.js";

const running: Running[] = [];
const connections: Connection[] = [];
afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.close()));
  await Promise.all(running.splice(0).map((r) => r.close()));
});

/** The principal is the `x-user` header (HTTP requests and WebSocket upgrades alike). */
const byUser: RpcServerOptions = {
  authenticate: (req: IncomingMessage) => req.headers["x-user"],
  rateLimits: { methods: { "ops.Desk.echo": "5/min" } },
};

async function start(options: RpcServerOptions): Promise<Running> {
  const r = await startDesk(options);
  running.push(r);
  return r;
}

/** Outcome of each of `count` calls, in order: "ok" or the error code. */
async function outcomes(count: number, call: () => Promise<unknown>): Promise<(string | number)[]> {
  const results: (string | number)[] = [];
  for (let i = 0; i < count; i++) {
    try {
      await call();
      results.push("ok");
    } catch (error) {
      results.push((error as { code: number }).code);
    }
  }
  return results;
}

const limited = (ok: number, refused: number) => [
  ...Array<string>(ok).fill("ok"),
  ...Array<number>(refused).fill(ErrorCode.LimitExceeded),
];

describe("rate limits", () => {
  test("REST: the flooder gets 429 with Retry-After; another principal is served", async () => {
    const r = await start(byUser);
    const headers = (user: string) => ({ "content-type": "application/json", "x-user": user });

    const flood = [];
    for (let i = 0; i < 8; i++)
      flood.push(await post(`${r.url}/ops.Desk/echo`, { n: i }, headers("mallory")));
    expect(flood.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const refused = flood[5]!;
    const retryAfter = Number(refused.headers.get("retry-after"));
    // One token of 5/min comes back within 12 s.
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(12);
    expect(refused.body).toMatchObject({
      type: "urn:svcgen:problem:rate-limited",
      status: 429,
      code: ErrorCode.LimitExceeded,
      retryAfterMs: expect.any(Number),
    });

    const alice = await outcomes(5, () =>
      connectHttpAs(r, "alice").call(DeskDescriptor, "echo", [1]),
    );
    expect(alice).toEqual(limited(5, 0));
    // connectHttp reads the refusal back as -32006 with the wait.
    const error = await failure(connectHttpAs(r, "mallory").call(DeskDescriptor, "echo", [1]));
    expect(error.code).toBe(ErrorCode.LimitExceeded);
    expect(error.data).toEqual({ retryAfterMs: expect.any(Number) });
  });

  test("/rpc: the flooder's requests answer -32006 with data.retryAfterMs; another principal is served", async () => {
    const r = await start(byUser);
    const call = (user: string, id: number) =>
      post(
        `${r.url}/rpc`,
        { jsonrpc: "2.0", id, method: "ops.Desk.echo", params: { n: id } },
        { "content-type": "application/json", "x-user": user },
      );
    const flood = [];
    for (let i = 0; i < 7; i++) flood.push((await call("mallory", i)).body as Record<string, any>);
    expect(flood.map((b) => b["error"]?.code ?? "ok")).toEqual(limited(5, 2));
    expect(flood[6]!["error"]).toMatchObject({
      code: ErrorCode.LimitExceeded,
      data: { retryAfterMs: expect.any(Number) },
    });
    const alice = [];
    for (let i = 0; i < 5; i++) alice.push((await call("alice", i)).body);
    expect(alice.every((b) => (b as { result?: unknown }).result !== undefined)).toBe(true);
  });

  test("WebSocket: calls of the flooding connection are refused, another connection's are served", async () => {
    // No authenticate: the key is the connection.
    const r = await start({ rateLimits: { methods: { "ops.Desk": "5/min" } } });
    const mallory = await ws(r);
    const alice = await ws(r);
    // Ten at once, as a flood comes.
    const all = await Promise.allSettled(
      Array.from({ length: 10 }, () => mallory.call(DeskDescriptor, "echo", [1])),
    );
    expect(all.filter((o) => o.status === "fulfilled")).toHaveLength(5);
    const refusals = all.filter((o) => o.status === "rejected");
    expect(refusals.map((o) => (o as PromiseRejectedResult).reason.code)).toEqual(
      Array(5).fill(ErrorCode.LimitExceeded),
    );
    expect(await outcomes(5, () => alice.call(DeskDescriptor, "echo", [2]))).toEqual(limited(5, 0));
    // The limit is per method: the flooder's other methods are not limited by it.
    expect(await mallory.call(DeskDescriptor, "whoami", [])).toBeNull();
  });

  test("an IDL @rateLimit applies without options; the option lifts it with false", async () => {
    const r = await start({});
    const c = await ws(r);
    expect(await outcomes(5, () => c.call(DeskDescriptor, "limited", []))).toEqual(limited(3, 2));
    expect(await outcomes(5, () => c.call(DeskDescriptor, "echo", [1]))).toEqual(limited(5, 0));

    const lifted = await start({ rateLimits: { methods: { "ops.Desk.limited": false } } });
    const d = await ws(lifted);
    expect(await outcomes(5, () => d.call(DeskDescriptor, "limited", []))).toEqual(limited(5, 0));
  });

  test("a custom key, a burst, and interceptors that see the refusal", async () => {
    const seen: number[] = [];
    const r = await start({
      rateLimits: { default: "1/min, burst 2", key: () => "everyone" },
      interceptors: [
        (next) => (call) =>
          next(call).catch((error: { code: number }) => {
            seen.push(error.code);
            throw error;
          }),
      ],
    });
    const a = await ws(r);
    const b = await ws(r);
    expect(await outcomes(2, () => a.call(DeskDescriptor, "echo", [1]))).toEqual(limited(2, 0));
    expect(await outcomes(1, () => b.call(DeskDescriptor, "echo", [1]))).toEqual(limited(0, 1));
    expect(seen).toEqual([ErrorCode.LimitExceeded]);
  });

  test("a malformed limit in the options is refused when the server is made", () => {
    expect(() => new RpcServer({ rateLimits: { default: "20 per second" } })).toThrow(
      /rateLimits.default: "20 per second" is not a rate limit/,
    );
    expect(() => new RpcServer({ rateLimits: { methods: { "a.B.c": "0/s" } } })).toThrow(TypeError);
  });
});

function connectHttpAs(r: Running, user: string): Connection {
  const c = connectHttp(r.url, { headers: { "x-user": user } });
  connections.push(c);
  return c;
}

async function ws(r: Running): Promise<Connection> {
  const c = await connectWebSocket(r.wsUrl, { reconnect: false });
  connections.push(c);
  return c;
}
