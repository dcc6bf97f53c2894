/**
 * Security promises of the server: authentication on REST and on the WebSocket upgrade,
 * per-method authorization, every limit of PROTOCOL.md configurable and enforced, no
 * exception text on the wire, dangerous keys inert, callback ids scoped to their connection.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { ErrorCode, RpcServer } from "@svcgen/runtime";
import WebSocket from "ws";
import { RawClient, post, startServer, until, type Answer, type Running } from "./harness.js";
import { SECRET } from "./services.js";

let running: Running;
const limits = {
  maxBodyBytes: 2000,
  maxFrameBytes: 2000,
  maxInFlightPerConnection: 3,
  maxCallbacksPerConnection: 2,
  maxBatchSize: 3,
};

beforeAll(async () => {
  running = await startServer({
    limits,
    authenticate(req) {
      const token = req.headers.authorization;
      if (token === "Bearer crash") throw new Error(`token store at ${SECRET} is down`);
      if (token === "Bearer admin") return { user: "root", admin: true };
      return token === "Bearer user" ? { user: "ann", admin: false } : undefined;
    },
    authorize: (ctx, method) =>
      method.name !== "admin" || (ctx.principal as { admin: boolean }).admin,
  });
});
afterAll(() => running.close());

const as = (token?: string): Record<string, string> => ({
  "content-type": "application/json",
  ...(token ? { authorization: `Bearer ${token}` } : {}),
});
const rest = (method: string, body: unknown = {}, token = "user") =>
  post(`${running.url}/vault.Vault/${method}`, body, as(token));
const rpc = (method: string, params: unknown = {}, token = "user") =>
  post(`${running.url}/rpc`, { jsonrpc: "2.0", id: 1, method, params }, as(token));

async function openAs(token: string): Promise<RawClient> {
  const client = new RawClient(running.wsUrl, { headers: { authorization: `Bearer ${token}` } });
  await client.opened;
  return client;
}

/** The upgrade's HTTP status when the server refuses it (no WebSocket is made). */
function upgradeStatus(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(running.wsUrl, { headers });
    socket.on("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      socket.terminate();
    });
    socket.on("open", () => {
      socket.terminate();
      reject(new Error("the upgrade was accepted"));
    });
    socket.on("error", () => undefined);
  });
}

/** No trace of the secret, a stack frame, or an exception class name in what came back. */
function expectNoLeak(text: string): void {
  expect(text).not.toContain(SECRET);
  expect(text).not.toMatch(/\bat .*:\d+:\d+/);
  expect(text).not.toMatch(/TypeError|ReferenceError|Error: /);
}

describe("authentication", () => {
  test("REST and /rpc without valid credentials: 401 and -32004, the hook's error unsent", async () => {
    for (const token of ["", "wrong", "crash"]) {
      const answer = await rest("echo", { text: "x" }, token);
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ status: 401, code: ErrorCode.Unauthenticated });
      expectNoLeak(answer.text);
      const jsonRpc = await rpc("vault.Vault.echo", { text: "x" }, token);
      expect(jsonRpc.body.error.code).toBe(ErrorCode.Unauthenticated);
      expectNoLeak(jsonRpc.text);
    }
    expect((await rest("whoami")).body).toBe(JSON.stringify({ user: "ann", admin: false }));
  });

  test("a WebSocket upgrade without valid credentials is refused with 401: no socket", async () => {
    expect(await upgradeStatus({})).toBe(401);
    expect(await upgradeStatus({ authorization: "Bearer wrong" })).toBe(401);
    expect(await upgradeStatus({ authorization: "Bearer crash" })).toBe(401);
    const client = await openAs("user");
    const answer = await client.request(1, "vault.Vault.whoami");
    expect(JSON.parse(answer.result)).toEqual({ user: "ann", admin: false });
    await client.close();
  });
});

describe("authorization", () => {
  test("a refused method is 403 / -32005 on REST, /rpc and WebSocket; allowed for admins", async () => {
    expect((await rest("admin")).body).toMatchObject({ status: 403, code: ErrorCode.Forbidden });
    expect((await rpc("vault.Vault.admin")).body.error.code).toBe(ErrorCode.Forbidden);
    const user = await openAs("user");
    expect((await user.request(1, "vault.Vault.admin")).error.code).toBe(ErrorCode.Forbidden);
    await user.close();
    expect((await rest("admin", {}, "admin")).body).toBe("admin done");
    const admin = await openAs("admin");
    expect((await admin.request(1, "vault.Vault.admin")).result).toBe("admin done");
    await admin.close();
  });
});

describe("limits", () => {
  test("maxBodyBytes: a body over it is 413 (REST and /rpc), one under it is served", async () => {
    const text = "y".repeat(limits.maxBodyBytes);
    expect((await rest("echo", { text })).status).toBe(413);
    expect((await rpc("vault.Vault.echo", { text })).status).toBe(413);
    expect((await rest("echo", { text: text.slice(0, 1500) })).body).toBe(text.slice(0, 1500));
  });

  test("maxBodyBytes holds for a chunked body that announces no length", async () => {
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${running.url}/vault.Vault/echo`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer user" },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.write('{"text":"');
      for (let i = 0; i < 10; i++) req.write("w".repeat(500));
      req.end('"}');
    });
    expect(status).toBe(413);
  });

  test("the defaults are those PROTOCOL.md and runtime.md give", () => {
    const server = new RpcServer();
    expect(server.options.limits).toEqual({
      maxBodyBytes: 1024 * 1024,
      maxFrameBytes: 1024 * 1024,
      maxBufferedBytes: 16 * 1024 * 1024,
      maxInFlightPerConnection: 256,
      maxCallbacksPerConnection: 1024,
      maxBatchSize: 100,
      maxConnections: 10_000,
      upgradesPerSecond: Infinity,
      upgradeBurst: 1000,
      resumesPerSecond: Infinity,
      resumeBurst: 1000,
      maxDepth: 100,
    });
    // Resumes follow the upgrade limits unless given their own.
    const limited = new RpcServer({ limits: { upgradesPerSecond: 50, upgradeBurst: 10 } });
    expect(limited.options.limits).toMatchObject({ resumesPerSecond: 50, resumeBurst: 10 });
    expect(server.options.heartbeatMs).toBe(30_000);
    expect(server.options.bodyTimeoutMs).toBe(30_000);
    expect(server.options.headersTimeoutMs).toBe(30_000);
  });

  test("maxFrameBytes: a frame over it closes the WebSocket with 1009", async () => {
    const client = await openAs("user");
    expect(
      (await client.request(1, "vault.Vault.echo", { text: "z".repeat(1500) })).result,
    ).toHaveLength(1500);
    client.send({
      jsonrpc: "2.0",
      id: 2,
      method: "vault.Vault.echo",
      params: { text: "z".repeat(2100) },
    });
    expect((await client.closed).code).toBe(1009);
  });

  test("maxInFlightPerConnection: the call over it answers -32006, the others complete", async () => {
    const client = await openAs("user");
    for (let id = 1; id <= 3; id++)
      client.send({ jsonrpc: "2.0", id, method: "lab.Lab.wait", params: { ms: 300 } });
    const over = await client.request(4, "lab.Lab.echo", { n: 4 });
    expect(over.error.code).toBe(ErrorCode.LimitExceeded);
    for (let id = 1; id <= 3; id++)
      expect((await client.next((m) => m.id === id)).result).toBe("done");
    expect((await client.request(5, "lab.Lab.echo", { n: 5 })).result).toBe(5);
    await client.close();
  });

  test("maxCallbacksPerConnection: a callback over it answers -32006; a released one frees a slot", async () => {
    const client = await openAs("user");
    expect((await client.request(1, "lab.Lab.hold", { probe: "p1" })).result).toBeNull();
    expect((await client.request(2, "lab.Lab.hold", { probe: "p2" })).result).toBeNull();
    expect((await client.request(3, "lab.Lab.hold", { probe: "p1" })).result).toBeNull(); // same id: reused
    expect((await client.request(4, "lab.Lab.hold", { probe: "p3" })).error.code).toBe(
      ErrorCode.LimitExceeded,
    );
    client.send({ jsonrpc: "2.0", method: "$/release", params: { callback: "p1" } });
    expect((await client.request(5, "lab.Lab.hold", { probe: "p3" })).result).toBeNull();
    await client.close();
  });

  test("maxBatchSize: a batch over it answers -32006 over WebSocket and /rpc", async () => {
    const batch = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        jsonrpc: "2.0",
        id: i,
        method: "lab.Lab.echo",
        params: { n: i },
      }));
    const client = await openAs("user");
    client.send(batch(4));
    expect((await client.next((m) => m.error)).error.code).toBe(ErrorCode.LimitExceeded);
    client.send(batch(3));
    await client.next((m) => m.id === 2 && m.result === 2);
    await client.close();
    const http = await post(`${running.url}/rpc`, batch(4), as("user"));
    expect([http.body].flat()[0].error.code).toBe(ErrorCode.LimitExceeded);
    expect((await post(`${running.url}/rpc`, batch(3), as("user"))).body).toHaveLength(3);
  });
});

describe("nothing of an exception leaves the server", () => {
  test("REST, /rpc and WebSocket answer 500 / -32603 with no message or stack", async () => {
    const answers: Answer[] = [await rest("explode"), await rest("explodeLater")];
    for (const answer of answers) {
      expect(answer.status).toBe(500);
      expect(answer.body.code).toBe(ErrorCode.InternalError);
    }
    answers.push(await rpc("vault.Vault.explode"), await rpc("vault.Vault.explodeLater"));
    for (const answer of answers) expectNoLeak(answer.text);
    const client = await openAs("user");
    expect((await client.request(1, "vault.Vault.explode")).error.code).toBe(
      ErrorCode.InternalError,
    );
    expect((await client.request(2, "vault.Vault.explodeLater")).error.code).toBe(
      ErrorCode.InternalError,
    );
    await client.close();
    for (const frame of client.frames) expectNoLeak(frame);
  });
});

describe("__proto__, constructor and prototype keys are inert", () => {
  const hostile =
    '{"doc":{"__proto__":{"polluted":1},"constructor":"c","prototype":{"__proto__":2},' +
    '"tags":{"__proto__":{"polluted":2},"constructor":{"prototype":{"polluted":3}}},' +
    '"body":{"__proto__":{"polluted":4},"a":[{"__proto__":{"polluted":5}}]},"extra":{"__proto__":6}}}';

  function expectInert(checked: any): void {
    expect(checked).toMatchObject({ ordinary: true, pristine: true });
    expect(checked.doc["__proto__"]).toEqual({ polluted: 1 });
    expect(checked.doc.prototype).toEqual({ ["__proto__"]: 2 });
    expect(checked.doc.tags["__proto__"]).toEqual({ polluted: 2 });
    expect(checked.doc.body.a[0]["__proto__"]).toEqual({ polluted: 5 });
    expect(({} as any).polluted).toBeUndefined();
  }

  test("in records, maps and json over REST, /rpc and WebSocket", async () => {
    expectInert((await rest("check", hostile)).body);
    const jsonRpc = `{"jsonrpc":"2.0","id":1,"method":"vault.Vault.check","params":${hostile}}`;
    expectInert((await post(`${running.url}/rpc`, jsonRpc, as("user"))).body.result);
    const client = await openAs("user");
    client.send(jsonRpc);
    expectInert((await client.next((m) => m.id === 1)).result);
    await client.close();
  });

  test("input nested too deeply is invalid params, not a stack overflow", async () => {
    // Default limits: the nesting must fit in the body and frame limits to reach decoding.
    const roomy = await startServer();
    const deep = `{"doc":{"tags":{},"body":${"[".repeat(100_000)}${"]".repeat(100_000)}}}`;
    const answer = await post(`${roomy.url}/vault.Vault/check`, deep);
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe(ErrorCode.InvalidParams);
    const client = new RawClient(roomy.wsUrl);
    await client.opened;
    client.send(`{"jsonrpc":"2.0","id":1,"method":"vault.Vault.check","params":${deep}}`);
    expect((await client.next((m) => m.id === 1)).error.code).toBe(ErrorCode.InvalidParams);
    await client.close();
    await roomy.close();
  });

  test("as parameter names and JSON-RPC envelope keys", async () => {
    const answer = await rest("echo", '{"__proto__":{"text":"inherited"}}');
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe(ErrorCode.InvalidParams);
    const envelope = '{"jsonrpc":"2.0","id":1,"__proto__":{"method":"vault.Vault.admin"}}';
    expect((await post(`${running.url}/rpc`, envelope, as("user"))).body.error.code).toBe(
      ErrorCode.InvalidRequest,
    );
    expect(({} as any).text).toBeUndefined();
  });
});

describe("callback ids are scoped to their connection", () => {
  test("client B naming client A's callback id gets its own callback; A's is never called", async () => {
    const a = await openAs("user");
    const b = await openAs("user");
    a.send({
      jsonrpc: "2.0",
      id: 1,
      method: "lab.Lab.ask",
      params: { probe: "shared", question: "for A" },
    });
    const toA = await a.next((m) => m.method === "$/callback");
    a.send({ jsonrpc: "2.0", id: toA.id, result: "from A" });
    expect((await a.next((m) => m.id === 1 && "result" in m)).result).toBe("ok:from A");

    b.send({
      jsonrpc: "2.0",
      id: 1,
      method: "lab.Lab.ask",
      params: { probe: "shared", question: "for B" },
    });
    const toB = await b.next((m) => m.method === "$/callback");
    expect(toB.params).toMatchObject({ callback: "shared", args: { question: "for B" } });
    b.send({ jsonrpc: "2.0", id: toB.id, result: "from B" });
    expect((await b.next((m) => m.id === 1 && "result" in m)).result).toBe("ok:from B");

    // B releasing "shared" releases its own registration only.
    b.send({ jsonrpc: "2.0", method: "$/release", params: { callback: "shared" } });
    await b.close();
    expect(a.messages.filter((m) => m.method === "$/callback")).toHaveLength(1);
    expect(a.messages.some((m) => m.method === "$/released")).toBe(false);
    a.send({
      jsonrpc: "2.0",
      id: 2,
      method: "lab.Lab.ask",
      params: { probe: "shared", question: "again" },
    });
    const again = await a.next(
      (m) => m.method === "$/callback" && m.params.args.question === "again",
    );
    a.send({ jsonrpc: "2.0", id: again.id, result: "still A" });
    expect((await a.next((m) => m.id === 2 && "result" in m)).result).toBe("ok:still A");
    await a.close();
  });

  test("an answer to another connection's callback request id is ignored", async () => {
    const a = await openAs("user");
    const b = await openAs("user");
    a.send({ jsonrpc: "2.0", id: 1, method: "lab.Lab.ask", params: { probe: "p", question: "q" } });
    const toA = await a.next((m) => m.method === "$/callback");
    b.send({ jsonrpc: "2.0", id: toA.id, result: "forged by B" });
    expect((await b.request(2, "lab.Lab.echo", { n: 2 })).result).toBe(2);
    a.send({ jsonrpc: "2.0", id: toA.id, result: "real" });
    expect((await a.next((m) => m.id === 1 && "result" in m)).result).toBe("ok:real");
    await Promise.all([a.close(), b.close()]);
  });
});

describe("requests of one connection are out of reach of another", () => {
  test("$/cancel and $/release name ids of the sender's own connection only", async () => {
    const a = await openAs("user");
    const b = await openAs("user");
    expect((await a.request(1, "lab.Lab.hold", { probe: "mine" })).result).toBeNull();
    a.send({ jsonrpc: "2.0", id: 2, method: "lab.Lab.wait", params: { ms: 200 } });
    await until(() => running.lab.started.includes("wait"));
    b.send({ jsonrpc: "2.0", method: "$/cancel", params: { id: 2 } });
    b.send({ jsonrpc: "2.0", method: "$/release", params: { callback: "mine" } });
    expect((await a.next((m) => m.id === 2)).result).toBe("done");
    expect(running.lab.releases.filter((r) => r.endsWith("/mine:released"))).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });
});

describe("names that exist on every JavaScript object are not methods", () => {
  const names = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"];

  test("REST answers 404 and JSON-RPC -32601 for them", async () => {
    for (const name of names) {
      const answer = await post(`${running.url}/lab.Lab/${name}`, {}, as("user"));
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe(ErrorCode.MethodNotFound);
      expect((await post(`${running.url}/${name}/echo`, {}, as("user"))).status).toBe(404);
      expect((await rpc(`lab.Lab.${name}`)).body.error.code).toBe(ErrorCode.MethodNotFound);
    }
    const client = await openAs("user");
    for (const [i, name] of names.entries()) {
      expect((await client.request(i, `lab.Lab.${name}`, {})).error.code).toBe(
        ErrorCode.MethodNotFound,
      );
      expect((await client.request(`x${i}`, name, {})).error.code).toBe(ErrorCode.MethodNotFound);
    }
    await client.close();
  });

  test("they work as callback ids and request ids, scoped like any other", async () => {
    const client = await openAs("user");
    // Two: the suite's limit of callbacks per connection.
    for (const id of ["__proto__", "constructor"]) {
      expect((await client.request(id, "lab.Lab.hold", { probe: id })).result).toBeNull();
    }
    expect((await client.request("hasOwnProperty", "lab.Lab.echo", { n: 9 })).result).toBe(9);
    await client.close();
    await until(() => running.lab.releases.filter((r) => r.endsWith(":disconnected")).length >= 2);
  });
});
