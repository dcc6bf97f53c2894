/**
 * OpenTelemetry tracing as an interceptor: a span per call and per callback, on both sides,
 * named `pkg.Service/method`, with the RPC semantic conventions (`rpc.system` "jsonrpc").
 * The sending side writes a W3C `traceparent` into the call's metadata (an HTTP header, or
 * the WebSocket message's `meta`); the receiving side starts its span as that one's child
 * and runs the call in its context, so a callback the implementation makes is a child of
 * the call that caused it.
 *
 * `@opentelemetry/api` is an optional peer dependency: pass it in (`{ api }`), or it is
 * imported on first use; without it the interceptor lets every call through untouched.
 * Only the small structural subset below is used, so the runtime's types never mention it.
 */
import { ErrorCode } from "../protocol/codes.js";
import { RpcError } from "../protocol/errors.js";
import type { InterceptedCall, Interceptor } from "./interceptor.js";
import { formatTraceparent, parseTraceparent, type RemoteSpanContext } from "./traceparent.js";

/** The part of an OpenTelemetry span used here. */
export interface OtelSpan {
  spanContext(): { traceId: string; spanId: string; traceFlags: number };
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: Error): void;
  end(): void;
}

export interface OtelTracer {
  startSpan(
    name: string,
    options: { kind: number; attributes: Record<string, string | number> },
    context: unknown,
  ): OtelSpan;
}

export interface OtelTracerProvider {
  getTracer(name: string, version?: string): OtelTracer;
}

/** The part of `@opentelemetry/api` used here (pass the module itself). */
export interface OtelApi {
  readonly trace: {
    getTracer(name: string, version?: string): OtelTracer;
    setSpan(context: unknown, span: OtelSpan): unknown;
    setSpanContext(context: unknown, spanContext: RemoteSpanContext): unknown;
  };
  readonly context: {
    active(): unknown;
    with<R>(context: unknown, fn: () => R): R;
  };
  readonly ROOT_CONTEXT: unknown;
}

export interface TracingOptions {
  /** The `@opentelemetry/api` module. Default: imported on first use, if installed. */
  readonly api?: OtelApi;
  /** Where tracers come from. Default: the global tracer provider of `api`. */
  readonly tracerProvider?: OtelTracerProvider;
  /** The instrumentation scope's name. Default `"@svcgen/runtime"`. */
  readonly tracerName?: string;
}

/** OpenTelemetry's SpanKind and SpanStatusCode values (stable parts of the API). */
const SpanKind = { SERVER: 1, CLIENT: 2 } as const;
const SpanStatusCode = { ERROR: 2 } as const;

/** A variable, not a literal: bundlers leave `import(apiModule)` alone. */
const apiModule = "@opentelemetry/api";
let imported: Promise<OtelApi | undefined> | undefined;

function importApi(): Promise<OtelApi | undefined> {
  return (imported ??= import(/* webpackIgnore: true */ apiModule).then(
    (module: OtelApi & { default?: OtelApi }) => (module.trace ? module : module.default),
    () => undefined,
  ));
}

/** The tracing interceptor; give the same one to servers and connections, or one each. */
export function tracingInterceptor(options: TracingOptions = {}): Interceptor {
  let api = options.api;
  let tracer: OtelTracer | undefined;
  const tracerOf = (a: OtelApi) =>
    (tracer ??= (options.tracerProvider ?? a.trace).getTracer(
      options.tracerName ?? "@svcgen/runtime",
    ));
  return (next) => (call) => {
    if (api !== undefined) return traced(api, tracerOf(api), next, call);
    return importApi().then((loaded) => {
      if (loaded === undefined) return next(call);
      api = loaded;
      return traced(loaded, tracerOf(loaded), next, call);
    });
  };
}

function traced(
  api: OtelApi,
  tracer: OtelTracer,
  next: (call: InterceptedCall) => Promise<unknown>,
  call: InterceptedCall,
): Promise<unknown> {
  // A server's call and a client's callback arrive; the others leave.
  const receiving = (call.side === "server") === (call.kind === "call");
  let parent: unknown;
  if (receiving) {
    // The sender's span, and nothing of whatever happened to be active on this side.
    const remote = parseTraceparent(call.metadata["traceparent"]);
    parent =
      remote === undefined ? api.ROOT_CONTEXT : api.trace.setSpanContext(api.ROOT_CONTEXT, remote);
  } else {
    parent = api.context.active();
  }
  const attributes: Record<string, string | number> = {
    "rpc.system": "jsonrpc",
    "rpc.service": call.service,
    "rpc.method": call.method.name,
    "rpc.jsonrpc.version": "2.0",
    "svcgen.kind": call.kind,
    "svcgen.endpoint": call.endpoint,
  };
  if (call.requestId !== undefined && call.requestId !== null) {
    attributes["rpc.jsonrpc.request_id"] = String(call.requestId);
  }
  const span = tracer.startSpan(
    `${call.service}/${call.method.name}`,
    { kind: receiving ? SpanKind.SERVER : SpanKind.CLIENT, attributes },
    parent,
  );
  if (!receiving) call.metadata["traceparent"] = formatTraceparent(span.spanContext());
  let outcome: Promise<unknown>;
  try {
    outcome = api.context.with(api.trace.setSpan(parent, span), () => next(call));
  } catch (error) {
    outcome = Promise.reject(error);
  }
  return outcome.then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      failed(span, error);
      span.end();
      throw error;
    },
  );
}

/** The JSON-RPC code the call failed with (what went or will go on the wire). */
function failed(span: OtelSpan, error: unknown): void {
  const code = error instanceof RpcError ? error.code : ErrorCode.InternalError;
  span.setAttribute("rpc.jsonrpc.error_code", code);
  if (error instanceof RpcError) span.setAttribute("rpc.jsonrpc.error_message", error.message);
  else if (error instanceof Error) span.recordException(error);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    ...(error instanceof Error && { message: error.message }),
  });
}
