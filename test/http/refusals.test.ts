/**
 * Refusals at the HTTP layer: authentication before anything else, the challenge of a 401,
 * early refusals that close the connection instead of reading the body, and the time and
 * connection limits of listen() and attach().
 */
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { ErrorCode, RpcError, RpcServer, type RpcServerOptions } from "@svcgen/runtime";
import { RawClient, until } from "../support/raw-clients.js";
import { post, startServer, type Running } from "./harness.js";
import { Shop } from "./services.js";

const json = { "content-type": "application/json" };
const bearer = (token: string) => ({ ...json, authorization: `Bearer ${token}` });

const authOptions: RpcServerOptions = {
  authenticate(req) {
    const token = req.headers.authorization;
    if (token === "Bearer expired") {
      throw new RpcError(ErrorCode.Unauthenticated, "token expired", {
        challenge: 'Bearer error="invalid_token"',
      });
    }
    return token === "Bearer good" ? { user: "ann" } : undefined;
  },
  authorize(_ctx, method) {
    if (method.name === "crash") throw new Error("policy store down");
    if (method.name === "reset") return Promise.reject(new Error("policy store down"));
    return true;
  },
};

/** Writes `head` on a raw socket and collects what comes back until the server closes. */
function rawExchange(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => resolve(received));
    socket.write(head);
  });
}

describe("authentication comes first", () => {
  let running: Running;
  beforeAll(async () => {
    running = await startServer(authOptions);
  });
  afterAll(() => running.close());

  test("anonymous callers learn nothing: unknown methods, wrong verbs, GET /rpc, the document", async () => {
    const probes: [string, RequestInit][] = [
      ["/shop.Shop/nothing", { method: "POST", headers: json, body: "{}" }],
      ["/nothing.Here/at", { method: "POST", headers: json, body: "{}" }],
      ["/shop.Shop/add", { method: "GET" }],
      ["/rpc", { method: "GET" }],
      ["/openapi.json", { method: "GET" }],
      ["/ws", { method: "GET" }],
      ["/no/such/path", { method: "GET" }],
    ];
    for (const [path, init] of probes) {
      const response = await fetch(`${running.url}${path}`, init);
      expect([path, response.status]).toEqual([path, 401]);
      expect(response.headers.get("www-authenticate")).toBe("Bearer");
      await response.text();
    }
    const known = await fetch(`${running.url}/shop.Shop/nothing`, {
      method: "POST",
      headers: bearer("good"),
      body: "{}",
    });
    expect(known.status).toBe(404);
    expect((await fetch(`${running.url}/openapi.json`, { headers: bearer("good") })).status).toBe(
      200,
    );
  });

  test("every 401 carries WWW-Authenticate; authenticate may supply the challenge", async () => {
    const anonymous = await post(`${running.url}/shop.Shop/whoami`, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe("Bearer");
    const expired = await post(`${running.url}/shop.Shop/whoami`, {}, bearer("expired"));
    expect(expired.status).toBe(401);
    expect(expired.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
    expect(expired.body.detail).toBe("token expired");
    const rpc = await post(`${running.url}/rpc`, { jsonrpc: "2.0", id: 1, method: "m" });
    expect(rpc.status).toBe(401);
    expect(rpc.headers.get("www-authenticate")).toBe("Bearer");
    expect(rpc.body.error.code).toBe(-32004);
    const upgrade = await rawExchange(
      running.port,
      "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    );
    expect(upgrade).toMatch(/^HTTP\/1\.1 401 /);
    expect(upgrade).toMatch(/\r\nWWW-Authenticate: Bearer\r\n/i);
  });

  test("a throwing or rejecting authorize refuses with 403 / -32005 on every transport", async () => {
    for (const method of ["crash", "reset"]) {
      const rest = await post(`${running.url}/shop.Shop/${method}`, {}, bearer("good"));
      expect([method, rest.status, rest.body.code]).toEqual([method, 403, -32005]);
      const rpc = await post(
        `${running.url}/rpc`,
        { jsonrpc: "2.0", id: 1, method: `shop.Shop.${method}` },
        bearer("good"),
      );
      expect(rpc.body.error.code).toBe(-32005);
    }
    const ws = new RawClient(`${running.url.replace("http", "ws")}/ws`, {
      headers: { authorization: "Bearer good" },
    });
    await ws.opened;
    expect((await ws.request(1, "shop.Shop.crash")).error.code).toBe(-32005);
    expect((await ws.request(2, "shop.Shop.reset")).error.code).toBe(-32005);
    expect((await ws.request(3, "shop.Shop.add", [1, 2])).result).toBe(3);
    await ws.close();
  });
});

test("the document is served to anonymous callers when openApi.public says so", async () => {
  const running = await startServer({ ...authOptions, openApi: { public: true } });
  try {
    const document = await fetch(`${running.url}/openapi.json`);
    expect(document.status).toBe(200);
    expect((await document.json()).openapi).toBe("3.1.0");
    expect((await post(`${running.url}/shop.Shop/add`, [1, 2])).status).toBe(401);
  } finally {
    await running.close();
  }
});

test("a static challenge option is used when authenticate gives none", async () => {
  const running = await startServer({ ...authOptions, challenge: 'Basic realm="shop"' });
  try {
    const answer = await post(`${running.url}/shop.Shop/add`, [1, 2]);
    expect(answer.headers.get("www-authenticate")).toBe('Basic realm="shop"');
  } finally {
    await running.close();
  }
});

describe("protocol corners", () => {
  let running: Running;
  beforeAll(async () => {
    running = await startServer();
  });
  afterAll(() => running.close());

  test("GET {base}/ws without an upgrade is 426 with Upgrade: websocket", async () => {
    const response = await fetch(`${running.url}/ws`);
    expect(response.status).toBe(426);
    expect(response.headers.get("upgrade")).toBe("websocket");
    expect((await response.json()).code).toBe(-32600);
  });

  test("a JSON-RPC id beyond 2^53 is never altered: /rpc and /ws refuse it with -32600", async () => {
    const big =
      '{"jsonrpc":"2.0","id":9223372036854775807,"method":"shop.Shop.add","params":[1,2]}';
    const answer = await post(`${running.url}/rpc`, big);
    expect(answer.text).not.toContain("9223372036854776000");
    expect(answer.body).toMatchObject({ id: null, error: { code: -32600 } });
    const edge = await post(`${running.url}/rpc`, big.replace(/id":\d+/, 'id":9007199254740993'));
    expect(edge.body).toMatchObject({ id: null, error: { code: -32600 } });
    const safe = await post(`${running.url}/rpc`, big.replace(/id":\d+/, 'id":9007199254740991'));
    expect(safe.text).toContain('"id":9007199254740991');
    expect(safe.body.result).toBe(3);

    const ws = new RawClient(`${running.url.replace("http", "ws")}/ws`);
    await ws.opened;
    ws.send(big);
    const refused = await ws.next((m) => m.error !== undefined);
    expect(refused).toMatchObject({ id: null, error: { code: -32600 } });
    expect(ws.frames.join("")).not.toContain("9223372036854776000");
    await ws.close();
  });
});

/** A node:http server of the test's own, with `server` attached, counting bytes read. */
async function attachedServer(options: RpcServerOptions) {
  const rpc = new RpcServer({ logger: false, ...options });
  rpc.register(new Shop());
  const http: Server = createServer();
  const sockets = new Set<Socket>();
  http.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  let bytesRead = 0;
  http.on("connection", (socket: Socket) =>
    socket.on("close", () => (bytesRead += socket.bytesRead)),
  );
  rpc.attach(http);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    port,
    bytesRead: () => bytesRead + [...sockets].reduce((sum, s) => sum + s.bytesRead, 0),
    openSockets: () => sockets.size,
    async close() {
      await rpc.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

interface Upload {
  readonly status: string;
  readonly headers: string;
  readonly written: number;
}

/**
 * Sends `head`, then keeps writing the body (up to `total` bytes) until the server answers
 * and closes; resolves with the answer's status line and headers.
 */
function upload(port: number, head: string, total: number): Promise<Upload> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let received = "";
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      const end = received.indexOf("\r\n\r\n");
      const [status = "", ...headers] = received.slice(0, end).split("\r\n");
      resolve({ status, headers: headers.join("\n").toLowerCase(), written: socket.bytesWritten });
      socket.destroy();
    };
    socket.on("data", (data) => {
      received += data.toString("latin1");
    });
    socket.on("error", () => finish());
    socket.on("close", finish);
    socket.on("connect", async () => {
      socket.write(head);
      for (let sent = 0; sent < total && !socket.destroyed; sent += chunk.length) {
        if (!socket.write(chunk)) {
          await new Promise((resolve) => socket.once("drain", resolve).once("close", resolve));
        }
      }
    });
    setTimeout(() => reject(new Error("the upload was not cut off")), 20_000).unref();
  });
}

describe("early refusals close the connection and read no more", () => {
  const total = 200 * 1024 * 1024;
  const head = (path: string, extra = "") =>
    `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${total}\r\n${extra}\r\n`;
  let server: Awaited<ReturnType<typeof attachedServer>>;
  beforeAll(async () => {
    server = await attachedServer({
      authenticate: (req) => (req.headers.authorization === "Bearer good" ? "ann" : undefined),
      limits: { maxBodyBytes: 300 * 1024 * 1024 },
    });
  });
  afterAll(() => server.close());

  test.each([
    ["401 without credentials", "/shop.Shop/add", "", "401"],
    ["404 for an unknown method", "/shop.Shop/nothing", "Authorization: Bearer good\r\n", "404"],
    [
      "415 for a compressed body",
      "/shop.Shop/add",
      "Authorization: Bearer good\r\nContent-Encoding: gzip\r\n",
      "415",
    ],
  ])("%s", async (_name, path, extra, status) => {
    const before = server.bytesRead();
    const answer = await upload(server.port, head(path, extra), total);
    expect(answer.status).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(answer.headers).toContain("connection: close");
    await until(() => server.openSockets() === 0);
    // The socket buffers of both ends hold a few MiB at most; the rest was never sent.
    expect(server.bytesRead() - before).toBeLessThan(16 * 1024 * 1024);
    expect(answer.written).toBeLessThan(total / 4);
  });

  test("a refusal of a request without a body keeps the connection", async () => {
    const answer = await rawExchange(
      server.port,
      "GET /shop.Shop/add HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good\r\n\r\n" +
        "GET /shop.Shop/add HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good\r\nConnection: close\r\n\r\n",
    );
    expect(answer.match(/HTTP\/1\.1 405 /g)).toHaveLength(2);
  });
});

describe("time and connection limits", () => {
  /** Sends the head, then one byte of the body every `everyMs`; resolves with the answer. */
  function tricklingBody(port: number, everyMs: number) {
    return new Promise<{ answer: string; tookMs: number }>((resolve) => {
      const started = Date.now();
      const socket = connect(port, "127.0.0.1");
      let received = "";
      socket.on("data", (chunk) => (received += chunk.toString("latin1")));
      socket.on("error", () => undefined);
      const timer = setInterval(() => socket.write(" "), everyMs);
      socket.on("close", () => {
        clearInterval(timer);
        resolve({ answer: received, tookMs: Date.now() - started });
      });
      socket.write(
        "POST /shop.Shop/add HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
          "Content-Length: 1000\r\n\r\n",
      );
    });
  }

  test("listen(): a body trickling in a byte at a time is cut off with 408 at bodyTimeoutMs", async () => {
    const rpc = new RpcServer({ logger: false, bodyTimeoutMs: 600 });
    rpc.register(new Shop());
    const { port, url } = await rpc.listen();
    try {
      const { answer, tookMs } = await tricklingBody(port, 200);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer.toLowerCase()).toContain("connection: close");
      expect(tookMs).toBeGreaterThanOrEqual(550);
      expect(tookMs).toBeLessThan(10_000);
      expect((await post(`${url}/shop.Shop/add`, [1, 2])).body).toBe(3);
    } finally {
      await rpc.close();
    }
  });

  test("listen(): slow bodies each get their own deadline; one that completes meanwhile is answered", async () => {
    const rpc = new RpcServer({ logger: false, bodyTimeoutMs: 1500 });
    rpc.register(new Shop());
    const { port } = await rpc.listen();
    try {
      const first = tricklingBody(port, 200);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Between the two slow ones in deadline order: it leaves the watch list from its middle.
      const completed = new Promise<string>((resolve) => {
        const socket = connect(port, "127.0.0.1");
        let received = "";
        socket.on("data", (chunk) => {
          received += chunk.toString("latin1");
          if (received.includes("\r\n\r\n")) socket.end();
        });
        socket.on("error", () => undefined);
        socket.on("close", () => resolve(received));
        socket.write(
          "POST /shop.Shop/add HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
            "Content-Length: 5\r\n\r\n[1",
        );
        setTimeout(() => socket.write(",2"), 100);
        setTimeout(() => socket.write("]"), 200);
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const second = tricklingBody(port, 200);
      const answered = await completed;
      expect(answered).toMatch(/^HTTP\/1\.1 200 /);
      expect(answered.endsWith("\r\n\r\n3")).toBe(true);
      for (const { answer, tookMs } of await Promise.all([first, second])) {
        expect(answer).toMatch(/^HTTP\/1\.1 408 /);
        expect(tookMs).toBeGreaterThanOrEqual(1400);
        expect(tookMs).toBeLessThan(15_000);
      }
    } finally {
      await rpc.close();
    }
  });

  test("attach(): the same body timeout applies to a server the app made", async () => {
    const server = await attachedServer({ bodyTimeoutMs: 600 });
    try {
      const { answer } = await tricklingBody(server.port, 200);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)).code).toBe(
        ErrorCode.TimedOut,
      );
    } finally {
      await server.close();
    }
  });

  test("listen(): headers that never end are cut off at headersTimeoutMs", async () => {
    const rpc = new RpcServer({ logger: false, headersTimeoutMs: 600 });
    rpc.register(new Shop());
    const { port } = await rpc.listen();
    try {
      const started = Date.now();
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(port, "127.0.0.1");
        let received = "";
        socket.on("data", (chunk) => (received += chunk.toString("latin1")));
        socket.on("error", () => undefined);
        const timer = setInterval(() => socket.write("X-Slow: 1\r\n"), 100);
        socket.on("close", () => {
          clearInterval(timer);
          resolve(received);
        });
        socket.write("POST /shop.Shop/add HTTP/1.1\r\nHost: x\r\n");
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await rpc.close();
    }
  });

  for (const how of ["listen", "attach"] as const) {
    test(`${how}(): connections over limits.maxConnections are refused`, async () => {
      const options: RpcServerOptions = { limits: { maxConnections: 2 } };
      let port: number;
      let close: () => Promise<void>;
      if (how === "listen") {
        const rpc = new RpcServer({ logger: false, ...options });
        rpc.register(new Shop());
        port = (await rpc.listen()).port;
        close = () => rpc.close();
      } else {
        const server = await attachedServer(options);
        port = server.port;
        close = () => server.close();
      }
      try {
        const open = async () => {
          const socket = connect(port, "127.0.0.1");
          socket.on("error", () => undefined);
          await new Promise((resolve) => socket.once("connect", resolve));
          return socket;
        };
        const held = [await open(), await open()];
        // A request on a held connection makes sure the server has accepted both.
        for (const socket of held) {
          socket.write("GET /rpc HTTP/1.1\r\nHost: x\r\n\r\n");
          await new Promise((resolve) => socket.once("data", resolve));
        }
        const third = await open();
        const closed = await new Promise<boolean>((resolve) => {
          third.once("close", () => resolve(true));
          third.write("GET /rpc HTTP/1.1\r\nHost: x\r\n\r\n");
          third.once("data", () => resolve(false));
        });
        expect(closed).toBe(true);
        held[0]!.destroy();
        await until(async () => {
          const socket = await open();
          const answered = await new Promise<boolean>((resolve) => {
            socket.once("close", () => resolve(false));
            socket.once("data", () => resolve(true));
            socket.write("GET /rpc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
          });
          socket.destroy();
          return answered;
        });
        held[1]!.destroy();
      } finally {
        await close();
      }
    });
  }
});
