/**
 * OpenTelemetry tracing: spans of calls and callbacks on both sides, recorded by the SDK's
 * in-memory exporter, linked by `traceparent` over HTTP headers and the WebSocket `meta`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "@jest/globals";
import * as api from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from "@opentelemetry/sdk-trace-base";
import {
  ErrorCode,
  connectHttp,
  connectWebSocket,
  tracingInterceptor,
  type Connection,
} from "@svcgen/runtime";
import { post, startDesk, type Running } from "./harness.js";
import { DeskDescriptor, failure, type Asker } from "./services.js";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();
const tracing = () => tracingInterceptor({ api, tracerProvider: provider });

beforeAll(() => {
  // What NodeSDK registers: calls and callbacks run in their span's context.
  api.context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  api.context.disable();
});

const running: Running[] = [];
const connections: Connection[] = [];
afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.close()));
  await Promise.all(running.splice(0).map((r) => r.close()));
  exporter.reset();
});

async function start(): Promise<Running> {
  const r = await startDesk({ interceptors: [tracing()] });
  running.push(r);
  return r;
}

function byName(spans: readonly ReadableSpan[], name: string, kind: api.SpanKind): ReadableSpan {
  const found = spans.filter((s) => s.name === name && s.kind === kind);
  expect(found).toHaveLength(1);
  return found[0]!;
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe("tracing", () => {
  test("a call that awaits a callback: four spans, each the child of the one before", async () => {
    const r = await start();
    const c = await connectWebSocket(r.wsUrl, { reconnect: false, interceptors: [tracing()] });
    connections.push(c);
    const asker: Asker = { answer: (q) => `${q}?`, note: () => undefined };

    expect(await c.call(DeskDescriptor, "ask", [asker, "why"])).toBe("answered:why?");

    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(4);
    const clientCall = byName(spans, "ops.Desk/ask", api.SpanKind.CLIENT);
    const serverCall = byName(spans, "ops.Desk/ask", api.SpanKind.SERVER);
    const serverCallback = byName(spans, "ops.Asker/answer", api.SpanKind.CLIENT);
    const clientCallback = byName(spans, "ops.Asker/answer", api.SpanKind.SERVER);

    expect(parentOf(clientCall)).toBeUndefined();
    expect(parentOf(serverCall)).toBe(clientCall.spanContext().spanId);
    expect(parentOf(serverCallback)).toBe(serverCall.spanContext().spanId);
    expect(parentOf(clientCallback)).toBe(serverCallback.spanContext().spanId);
    const traceIds = new Set(spans.map((s) => s.spanContext().traceId));
    expect(traceIds.size).toBe(1);

    expect(serverCall.attributes).toMatchObject({
      "rpc.system": "jsonrpc",
      "rpc.service": "ops.Desk",
      "rpc.method": "ask",
      "rpc.jsonrpc.request_id": expect.any(String),
    });
    expect(clientCallback.attributes).toMatchObject({
      "rpc.system": "jsonrpc",
      "rpc.service": "ops.Asker",
      "rpc.method": "answer",
    });
    expect(serverCall.status.code).toBe(api.SpanStatusCode.UNSET);
  });

  test("over REST the traceparent header links the server's span to the client's", async () => {
    const r = await start();
    const c = connectHttp(r.url, { interceptors: [tracing()] });
    connections.push(c);
    expect(await c.call(DeskDescriptor, "echo", [4])).toBe(4);
    const spans = exporter.getFinishedSpans();
    const client = byName(spans, "ops.Desk/echo", api.SpanKind.CLIENT);
    const server = byName(spans, "ops.Desk/echo", api.SpanKind.SERVER);
    expect(parentOf(server)).toBe(client.spanContext().spanId);
    expect(server.spanContext().traceId).toBe(client.spanContext().traceId);
    expect(server.attributes["svcgen.endpoint"]).toBe("rest");
  });

  test("a failed call records its JSON-RPC code on both sides", async () => {
    const r = await start();
    const c = connectHttp(r.url, { interceptors: [tracing()] });
    connections.push(c);
    expect((await failure(c.call(DeskDescriptor, "crash", []))).code).toBe(ErrorCode.InternalError);
    const spans = exporter.getFinishedSpans();
    for (const kind of [api.SpanKind.CLIENT, api.SpanKind.SERVER]) {
      const span = byName(spans, "ops.Desk/crash", kind);
      expect(span.attributes["rpc.jsonrpc.error_code"]).toBe(ErrorCode.InternalError);
      expect(span.status.code).toBe(api.SpanStatusCode.ERROR);
    }
  });

  test("a /rpc request from a foreign client continues its traceparent; a malformed one starts a trace", async () => {
    const r = await start();
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const headers = { "content-type": "application/json" };
    const request = { jsonrpc: "2.0", id: 9, method: "ops.Desk.echo", params: { n: 1 } };
    await post(`${r.url}/rpc`, request, {
      ...headers,
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    await post(`${r.url}/rpc`, request, { ...headers, traceparent: "00-zz-00f067aa0ba902b7-01" });
    const [continued, fresh] = exporter.getFinishedSpans();
    expect(continued!.spanContext().traceId).toBe(traceId);
    expect(parentOf(continued!)).toBe("00f067aa0ba902b7");
    expect(continued!.attributes["rpc.jsonrpc.request_id"]).toBe("9");
    expect(fresh!.spanContext().traceId).not.toBe(traceId);
    expect(parentOf(fresh!)).toBeUndefined();
  });
});
