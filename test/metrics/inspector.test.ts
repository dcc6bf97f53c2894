/**
 * The inspector's service and page files, from Node: snapshots on request and pushed to a
 * callback, who may use it, and what the page routes serve.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import {
  ErrorCode,
  RpcServer,
  connectHttp,
  connectWebSocket,
  type Connection,
  type RpcServerOptions,
} from "@svcgen/runtime";
import { InspectorClient, InspectorDescriptor, type Snapshot } from "@svcgen/runtime/inspector";
import { until } from "../support/raw-clients.js";
import { Desk, DeskDescriptor } from "./services.js";

let server: RpcServer | undefined;
let url = "";
const open: Connection[] = [];

afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((connection) => connection.close()));
  await server?.close();
  server = undefined;
});

async function start(options: RpcServerOptions): Promise<void> {
  server = new RpcServer({ logger: false, ...options });
  server.register(new Desk(server));
  ({ url } = await server.listen());
}

async function ws(): ReturnType<typeof connectWebSocket> {
  const connection = await connectWebSocket(`${url.replace(/^http/, "ws")}/ws`, {
    reconnect: false,
  });
  open.push(connection);
  return connection;
}

describe("the Inspector service", () => {
  test("a snapshot lists the methods, connections with their callbacks and groups, and errors", async () => {
    await start({ inspector: true });
    const client = await ws();
    await client.call(DeskDescriptor, "add", [1, 1]);
    await client.call(DeskDescriptor, "watch", [{ tick() {}, confirm: () => true }, 1, "room"]);
    await expect(client.call(DeskDescriptor, "crash", [])).rejects.toMatchObject({ code: -32603 });

    const snapshot = await new InspectorClient(client).snapshot();
    expect(snapshot.node).toBe(server!.nodeId);
    expect(snapshot.at).toBeInstanceOf(Date);
    expect(snapshot.methods.find((m) => m.name === "ops.Desk.add")).toMatchObject({ calls: 1 });
    expect(snapshot.methods.find((m) => m.name === "ops.Desk.crash")?.errors).toEqual({
      "-32603": 1,
    });
    expect(snapshot.connectionsTotal).toBe(1);
    const [connection] = snapshot.connections;
    expect(connection).toMatchObject({ remoteAddress: "127.0.0.1", attached: true });
    expect(connection!.callbacks).toEqual([
      { id: expect.any(String), type: "ops.Watcher", groups: ["room"] },
    ]);
    expect(snapshot.groups).toEqual([{ name: "room", type: "ops.Watcher", members: 1 }]);
    expect(snapshot.recentErrors[0]).toMatchObject({ method: "ops.Desk.crash", code: -32603 });
    expect(snapshot.recentErrors[0]!.incident).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("watch pushes snapshots to the view until it is released", async () => {
    await start({ inspector: true });
    const client = await ws();
    const seen: Snapshot[] = [];
    const view = { snapshot: (_node: string, state: Snapshot) => void seen.push(state) };
    await new InspectorClient(client).watch(view, 100);
    await until(() => seen.length >= 1);
    await client.call(DeskDescriptor, "add", [2, 2]);
    // A later snapshot shows the call made after watching began.
    await until(() => seen.at(-1)!.methods.some((m) => m.name === "ops.Desk.add" && m.calls === 1));
    client.release(view);
    await until(() => server!.stats().callbacks.live === 0);
    const count = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(seen.length).toBe(count);
  });

  test("authorize decides who may inspect", async () => {
    await start({
      inspector: true,
      authorize: (_ctx, method) => method.owner.name !== InspectorDescriptor.name,
    });
    const client = await ws();
    await expect(new InspectorClient(client).snapshot()).rejects.toMatchObject({
      code: ErrorCode.Forbidden,
    });
    // Everything else is served as before.
    await expect(client.call(DeskDescriptor, "add", [1, 2])).resolves.toBe(3);
  });

  test("without authorize, HTTP callers are refused (their address is not known to be local)", async () => {
    await start({ inspector: true });
    const http = connectHttp(url);
    open.push(http);
    await expect(new InspectorClient(http).snapshot()).rejects.toMatchObject({
      code: ErrorCode.Forbidden,
    });
  });

  test("off by default: the service is not registered", async () => {
    await start({});
    const client = await ws();
    await expect(new InspectorClient(client).snapshot()).rejects.toMatchObject({
      code: ErrorCode.MethodNotFound,
    });
    expect((await fetch(`${url}/inspector`)).status).toBe(404);
  });
});

describe("the page's files", () => {
  test("the page, its scripts and the runtime bundle, below base and path", async () => {
    await start({ base: "/api", inspector: { path: "/ops/inspect" } });
    const page = await fetch(`${url}/ops/inspect`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    const html = await page.text();
    expect(html).toContain('"@svcgen/runtime":"/api/ops/inspect/svcgen-runtime.js"');
    expect(html).toContain('data-ws-path="/api/ws"');
    for (const file of [
      "page/main.js",
      "page/view.js",
      "generated/inspector.js",
      "svcgen-runtime.js",
    ]) {
      const answer = await fetch(`${url}/ops/inspect/${file}`);
      expect([file, answer.status, answer.headers.get("content-type")]).toEqual([
        file,
        200,
        "text/javascript; charset=utf-8",
      ]);
      expect((await answer.text()).length).toBeGreaterThan(100);
    }
    expect((await fetch(`${url}/ops/inspect/../package.json`)).status).toBe(404);
    expect((await fetch(`${url}/ops/inspect/page/main.js`, { method: "POST" })).status).toBe(405);
  });

  test("with authenticate, the page loads anonymously but its data needs a principal", async () => {
    await start({
      inspector: true,
      authenticate: (req) =>
        new URL(req.url ?? "/", "http://x").searchParams.get("token") === "t" ? "ops" : undefined,
      authorize: () => true,
    });
    expect((await fetch(`${url}/inspector`)).status).toBe(200);
    expect((await fetch(`${url}/ops.Desk/add`, { method: "POST", body: "{}" })).status).toBe(401);
    // The page passes its query string on to the WebSocket URL: a token there admits it.
    await expect(
      connectWebSocket(`${url.replace(/^http/, "ws")}/ws`, { reconnect: false }),
    ).rejects.toMatchObject({ code: ErrorCode.ConnectionClosed });
    const admitted = await connectWebSocket(`${url.replace(/^http/, "ws")}/ws?token=t`, {
      reconnect: false,
    });
    open.push(admitted);
    await expect(new InspectorClient(admitted).snapshot()).resolves.toMatchObject({
      node: server!.nodeId,
    });
  });
});
