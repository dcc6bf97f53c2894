/**
 * Interceptors: one shape around calls and callbacks, server and client, on REST, `/rpc`
 * and WebSocket. Real servers and clients; what is asserted is what an interceptor sees
 * and what the caller gets when one refuses, changes or maps a call.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import {
  ErrorCode,
  RpcError,
  connectHttp,
  connectWebSocket,
  type Connection,
  type InterceptedCall,
  type Interceptor,
} from "@svcgen/runtime";
import { post, startDesk, type Running } from "./harness.js";
import { DeskDescriptor, failure, type Asker } from "./services.js";

/** What an interceptor saw of each call, and each call's outcome. */
interface Seen {
  readonly call: InterceptedCall;
  outcome?: { value: unknown } | { error: unknown };
}

function recorder(into: Seen[]): Interceptor {
  return (next) => async (call) => {
    const seen: Seen = { call };
    into.push(seen);
    try {
      const value = await next(call);
      seen.outcome = { value };
      return value;
    } catch (error) {
      seen.outcome = { error };
      throw error;
    }
  };
}

const running: Running[] = [];
const connections: Connection[] = [];
afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.close()));
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function start(options: Parameters<typeof startDesk>[0]): Promise<Running> {
  const r = await startDesk(options);
  running.push(r);
  return r;
}

async function ws(r: Running, options: Parameters<typeof connectWebSocket>[1] = {}) {
  const c = await connectWebSocket(r.wsUrl, { reconnect: false, ...options });
  connections.push(c);
  return c;
}

function http(r: Running, options: Parameters<typeof connectHttp>[1] = {}) {
  const c = connectHttp(r.url, options);
  connections.push(c);
  return c;
}

describe("server interceptors around calls", () => {
  test("see each call on REST, /rpc and WebSocket with its descriptor, arguments and result", async () => {
    const seen: Seen[] = [];
    const r = await start({ interceptors: [recorder(seen)] });

    expect(await http(r).call(DeskDescriptor, "echo", [1])).toBe(1);
    const rpc = await post(`${r.url}/rpc`, {
      jsonrpc: "2.0",
      id: "r1",
      method: "ops.Desk.echo",
      params: { n: 2 },
    });
    expect(rpc.body).toEqual({ jsonrpc: "2.0", id: "r1", result: 2 });
    expect(await (await ws(r)).call(DeskDescriptor, "echo", [3])).toBe(3);

    expect(seen.map(({ call }) => [call.transport, call.endpoint, call.args[0]])).toEqual([
      ["http", "rest", 1],
      ["http", "rpc", 2],
      ["ws", "ws", 3],
    ]);
    for (const { call, outcome } of seen) {
      expect(call.kind).toBe("call");
      expect(call.side).toBe("server");
      expect(call.service).toBe("ops.Desk");
      expect(call.method.wireName).toBe("ops.Desk.echo");
      expect(call.method.oneway).toBe(false);
      expect(call.remoteAddress).toMatch(/127\.0\.0\.1/);
      expect(outcome).toEqual({ value: call.args[0] });
    }
    expect(seen[0]!.call.requestId).toBeUndefined();
    expect(seen[1]!.call.requestId).toBe("r1");
    expect(typeof seen[2]!.call.requestId).toBe("number");
    expect(seen[2]!.call.connection?.id).toEqual(expect.any(String));
    expect(seen[0]!.call.metadata["content-type"]).toBe("application/json");
  });

  test("an interceptor that throws an RpcError refuses the call with its code and status", async () => {
    const refuse: Interceptor = () => () => {
      throw new RpcError(ErrorCode.Forbidden, "not today");
    };
    const r = await start({ interceptors: [refuse] });

    const rest = await post(`${r.url}/ops.Desk/echo`, { n: 1 });
    expect(rest.status).toBe(403);
    expect(rest.body).toMatchObject({ code: ErrorCode.Forbidden, detail: "not today" });
    const rpc = await post(`${r.url}/rpc`, {
      jsonrpc: "2.0",
      id: 1,
      method: "ops.Desk.echo",
      params: [1],
    });
    expect(rpc.body).toMatchObject({
      id: 1,
      error: { code: ErrorCode.Forbidden, message: "not today" },
    });
    const error = await failure((await ws(r)).call(DeskDescriptor, "echo", [1]));
    expect(error.code).toBe(ErrorCode.Forbidden);
    expect(r.desk.calls).toBe(0);
  });

  test("an interceptor's own fault is an internal error with an incident, never its message", async () => {
    const broken: Interceptor = () => async () => {
      throw new Error("secret detail");
    };
    const r = await start({ interceptors: [broken] });
    const rest = await post(`${r.url}/ops.Desk/echo`, { n: 1 });
    expect(rest.status).toBe(500);
    expect(rest.text).not.toContain("secret");
    expect(rest.body).toMatchObject({
      code: ErrorCode.InternalError,
      incident: expect.any(String),
    });
  });

  test("a changed principal and arguments reach the implementation", async () => {
    const impersonate: Interceptor = (next) => (call) => {
      call.principal = { user: `as-${call.metadata["x-user"] ?? "nobody"}` };
      return next(call);
    };
    const double: Interceptor = (next) => (call) => {
      if (call.method.name === "echo") call.args = [(call.args[0] as number) * 2];
      return next(call);
    };
    const r = await start({ interceptors: [impersonate, double] });

    const rest = await post(
      `${r.url}/ops.Desk/whoami`,
      {},
      {
        "content-type": "application/json",
        "x-user": "ann",
      },
    );
    expect(rest.body).toEqual({ user: "as-ann" });
    expect(await (await ws(r)).call(DeskDescriptor, "echo", [21])).toBe(42);
  });

  test("an interceptor maps the error the implementation failed with", async () => {
    const mapper: Interceptor = (next) => (call) =>
      next(call).catch(() => {
        throw new RpcError(ErrorCode.InvalidParams, `mapped ${call.method.name}`);
      });
    const r = await start({ interceptors: [mapper] });
    const error = await failure(http(r).call(DeskDescriptor, "crash", []));
    expect(error.code).toBe(ErrorCode.InvalidParams);
    expect(error.message).toBe("mapped crash");
  });

  test("`authorize` runs after the interceptors, which see its refusal", async () => {
    const seen: Seen[] = [];
    const r = await start({
      interceptors: [recorder(seen)],
      authorize: (_ctx, method) => method.name !== "whoami",
    });
    const c = await ws(r);
    expect(await c.call(DeskDescriptor, "echo", [5])).toBe(5);
    expect((await failure(c.call(DeskDescriptor, "whoami", []))).code).toBe(ErrorCode.Forbidden);
    expect(seen.map((s) => s.call.method.name)).toEqual(["echo", "whoami"]);
    expect((seen[1]!.outcome as { error: RpcError }).error.code).toBe(ErrorCode.Forbidden);
  });
});

describe("interceptors around callbacks", () => {
  test("server and client interceptors see an awaited callback; metadata travels with it", async () => {
    const server: Seen[] = [];
    const client: Seen[] = [];
    const stamp: Interceptor = (next) => (call) => {
      if (call.kind === "callback") call.metadata["x-origin"] = `server:${call.method.name}`;
      return next(call);
    };
    const r = await start({ interceptors: [recorder(server), stamp] });
    const c = await ws(r, { interceptors: [recorder(client)] });
    const asker: Asker = { answer: (q) => `${q}!`, note: () => undefined };

    expect(await c.call(DeskDescriptor, "ask", [asker, "why"])).toBe("answered:why!");

    expect(server.map((s) => [s.call.kind, s.call.method.wireName])).toEqual([
      ["call", "ops.Desk.ask"],
      ["callback", "ops.Asker.answer"],
    ]);
    const outgoing = server[1]!;
    expect(outgoing.call.side).toBe("server");
    expect(outgoing.call.args).toEqual(["why"]);
    expect(outgoing.outcome).toEqual({ value: "why!" });

    expect(client.map((s) => [s.call.kind, s.call.side, s.call.method.wireName])).toEqual([
      ["call", "client", "ops.Desk.ask"],
      ["callback", "client", "ops.Asker.answer"],
    ]);
    const incoming = client[1]!;
    expect(incoming.call.metadata["x-origin"]).toBe("server:answer");
    expect(incoming.call.requestId).toEqual(expect.any(Number));
    expect(incoming.outcome).toEqual({ value: "why!" });
    expect(client[0]!.outcome).toEqual({ value: "answered:why!" });
  });

  test("a client interceptor that refuses a callback answers the server with its error", async () => {
    const r = await start({});
    const refuse: Interceptor = (next) => (call) => {
      if (call.kind === "callback") throw new RpcError(ErrorCode.Forbidden, "no callbacks here");
      return next(call);
    };
    const c = await ws(r, { interceptors: [refuse] });
    const answer = { answer: () => "never", note: () => undefined };
    // The implementation sees the client's error and fails undeclared: -32603.
    const error = await failure(c.call(DeskDescriptor, "ask", [answer, "q"]));
    expect(error.code).toBe(ErrorCode.InternalError);
  });

  test("a oneway callback refused by a server interceptor resolves false and never rejects", async () => {
    const refuse: Interceptor = (next) => (call) => {
      if (call.kind === "callback") throw new Error("dropped on purpose");
      return next(call);
    };
    const r = await start({ interceptors: [refuse] });
    const notes: string[] = [];
    const c = await ws(r);
    const asker: Asker = { answer: () => "", note: (text) => void notes.push(text) };
    expect(await c.call(DeskDescriptor, "tell", [asker, "hello"])).toBe(false);
    expect(notes).toEqual([]);
  });

  test("a oneway callback goes through both sides' interceptors", async () => {
    const server: Seen[] = [];
    const client: Seen[] = [];
    const r = await start({ interceptors: [recorder(server)] });
    let noted!: (text: string) => void;
    const arrived = new Promise<string>((resolve) => (noted = resolve));
    const c = await ws(r, { interceptors: [recorder(client)] });
    const asker: Asker = { answer: () => "", note: (text) => noted(text) };
    expect(await c.call(DeskDescriptor, "tell", [asker, "hi"])).toBe(true);
    expect(await arrived).toBe("hi");
    expect(server[1]!.call).toMatchObject({
      kind: "callback",
      method: { name: "note", oneway: true },
    });
    expect(server[1]!.outcome).toEqual({ value: true });
    expect(client.map((s) => s.call.method.name)).toEqual(["tell", "note"]);
  });
});

describe("client interceptors around calls", () => {
  test("metadata set on the client arrives as HTTP headers and as the WebSocket `meta`", async () => {
    const server: Seen[] = [];
    const r = await start({ interceptors: [recorder(server)] });
    const tenant: Interceptor = (next) => (call) => {
      call.metadata["x-tenant"] = `t-${call.transport}`;
      return next(call);
    };
    await http(r, { interceptors: [tenant] }).call(DeskDescriptor, "echo", [1]);
    await (await ws(r, { interceptors: [tenant] })).call(DeskDescriptor, "echo", [2]);
    expect(server.map((s) => s.call.metadata["x-tenant"])).toEqual(["t-http", "t-ws"]);
  });

  test("a client interceptor can answer without the server, or refuse before sending", async () => {
    const r = await start({});
    const cached: Interceptor = (next) => (call) =>
      call.args[0] === 7 ? Promise.resolve(700) : next(call);
    const c = http(r, { interceptors: [cached] });
    expect(await c.call(DeskDescriptor, "echo", [7])).toBe(700);
    expect(await c.call(DeskDescriptor, "echo", [8])).toBe(8);
    expect(r.desk.calls).toBe(1);
  });

  test("the client sees the server's error through its interceptors", async () => {
    const client: Seen[] = [];
    const r = await start({});
    const c = await ws(r, { interceptors: [recorder(client)] });
    const error = await failure(c.call(DeskDescriptor, "crash", []));
    expect(error.code).toBe(ErrorCode.InternalError);
    expect((client[0]!.outcome as { error: unknown }).error).toBe(error);
  });
});
