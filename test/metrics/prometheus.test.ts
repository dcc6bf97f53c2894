/**
 * The opt-in Prometheus endpoint: a real HTTP scrape after real traffic, read by a strict
 * parser of the text format; its figures agree with stats(); who may scrape.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import {
  RpcServer,
  RpcError,
  ErrorCode,
  connectHttp,
  connectWebSocket,
  type RpcServerOptions,
} from "@svcgen/runtime";
import { parsePrometheusText, valueOf } from "../support/prometheus-text.js";
import { Desk, DeskDescriptor, WatcherDescriptor } from "./services.js";

let server: RpcServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: RpcServerOptions): Promise<string> {
  server = new RpcServer({ logger: false, ...options });
  server.register(new Desk(server));
  return (await server.listen()).url;
}

describe("the scrape", () => {
  test("after traffic, every family parses strictly and agrees with stats()", async () => {
    const url = await start({ metrics: true });
    const http = connectHttp(url);
    await http.call(DeskDescriptor, "add", [1, 2]);
    await http.call(DeskDescriptor, "add", [3, 4]);
    await expect(http.call(DeskDescriptor, "crash", [])).rejects.toBeInstanceOf(RpcError);
    const socket = await connectWebSocket(`${url.replace(/^http/, "ws")}/ws`, { reconnect: false });
    const watcher = { tick() {}, confirm: () => true };
    await socket.call(DeskDescriptor, "watch", [watcher, 2, 'room "A"\nsecond line\\']);
    await socket.call(DeskDescriptor, "ask", [watcher, "ok?"]);

    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const families = parsePrometheusText(await response.text());

    expect(families.get("svcgen_rpc_calls_total")?.type).toBe("counter");
    expect(families.get("svcgen_rpc_duration_seconds")?.type).toBe("histogram");
    expect(valueOf(families, "svcgen_rpc_calls_total", { method: "ops.Desk.add" })).toBe(2);
    expect(
      valueOf(families, "svcgen_rpc_errors_total", { method: "ops.Desk.crash", code: "-32603" }),
    ).toBe(1);
    expect(valueOf(families, "svcgen_rpc_duration_seconds_count", { method: "ops.Desk.add" })).toBe(
      2,
    );
    expect(
      valueOf(families, "svcgen_rpc_duration_seconds_bucket", {
        method: "ops.Desk.add",
        le: "+Inf",
      }),
    ).toBe(2);
    expect(valueOf(families, "svcgen_callback_calls_total", { method: "ops.Watcher.tick" })).toBe(
      2,
    );
    expect(
      valueOf(families, "svcgen_callback_calls_total", { method: "ops.Watcher.confirm" }),
    ).toBe(1);
    expect(valueOf(families, "svcgen_websocket_connections")).toBe(1);
    expect(valueOf(families, "svcgen_sessions", { state: "plain" })).toBe(1);
    expect(valueOf(families, "svcgen_callbacks")).toBe(server!.stats().callbacks.live);
    expect(valueOf(families, "svcgen_groups")).toBe(1);
    expect(valueOf(families, "svcgen_group_members")).toBe(1);
    // The scrape itself is not a call: REST figures are unchanged by it.
    expect(valueOf(families, "svcgen_calls_in_flight", { transport: "http" })).toBe(0);
    await socket.close();
    await http.close();
  });

  test("per-group series escape the group's name and give its cluster-wide members", async () => {
    const url = await start({ metrics: { groups: true } });
    const socket = await connectWebSocket(`${url.replace(/^http/, "ws")}/ws`, { reconnect: false });
    const name = 'room "A"\nsecond line\\';
    await socket.call(DeskDescriptor, "watch", [{ tick() {}, confirm: () => true }, 0, name]);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('group="room \\"A\\"\\nsecond line\\\\"');
    const families = parsePrometheusText(text);
    const labels = { group: name, type: WatcherDescriptor.name };
    expect(valueOf(families, "svcgen_group_members_by_group", { ...labels, scope: "node" })).toBe(
      1,
    );
    expect(
      valueOf(families, "svcgen_group_members_by_group", { ...labels, scope: "cluster" }),
    ).toBe(1);
    await socket.close();
  });

  test("HEAD answers the headers only; other methods 405", async () => {
    const url = await start({ metrics: { path: "/internal/metrics" } });
    const head = await fetch(`${url}/internal/metrics`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const postAnswer = await fetch(`${url}/internal/metrics`, { method: "POST" });
    expect(postAnswer.status).toBe(405);
    expect(postAnswer.headers.get("allow")).toBe("GET, HEAD");
  });

  test("off by default: nothing at /metrics", async () => {
    const url = await start({});
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
  });
});

describe("who may scrape", () => {
  const authenticate = (req: { headers: Record<string, unknown> }) =>
    req.headers["authorization"] === "Bearer scraper" ? { role: "scraper" } : undefined;

  test("with authenticate, an anonymous scrape is 401 with a challenge", async () => {
    const url = await start({ authenticate, metrics: true });
    const anonymous = await fetch(`${url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe("Bearer");
    const scraper = await fetch(`${url}/metrics`, { headers: { authorization: "Bearer scraper" } });
    expect(scraper.status).toBe(200);
  });

  test("allow decides after authenticate; a throwing allow refuses", async () => {
    const url = await start({
      authenticate: (req) => (req.headers["authorization"] as string | undefined)?.slice(7),
      metrics: {
        allow: (_req, principal) => {
          if (principal === "broken") throw new Error("policy bug");
          return principal === "prometheus";
        },
      },
    });
    const as = (token: string) =>
      fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect((await as("prometheus")).status).toBe(200);
    const refused = await as("someone");
    expect(refused.status).toBe(403);
    expect((await refused.json()) as unknown).toMatchObject({ code: ErrorCode.Forbidden });
    expect((await as("broken")).status).toBe(403);
  });
});

describe("the strict parser used above", () => {
  test.each([
    ["no final line feed", "# TYPE a gauge\na 1"],
    ["a sample before its TYPE", "a 1\n"],
    ["a bad escape", '# TYPE a gauge\na{x="\\t"} 1\n'],
    ["a series twice", "# TYPE a gauge\na 1\na 2\n"],
    ["a non-number", "# TYPE a gauge\na one\n"],
    [
      "buckets that shrink",
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
    ],
    ["+Inf unequal to _count", '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n'],
  ])("refuses %s", (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
