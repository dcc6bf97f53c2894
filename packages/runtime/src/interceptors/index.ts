export type { CallNext, InterceptedCall, Interceptor } from "./interceptor.js";
export { tracingInterceptor } from "./tracing.js";
export type {
  OtelApi,
  OtelSpan,
  OtelTracer,
  OtelTracerProvider,
  TracingOptions,
} from "./tracing.js";
