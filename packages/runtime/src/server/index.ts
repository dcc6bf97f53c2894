export type { CallContext, ConnectionInfo, CallbackHandle, CallbackProxy } from "./context.js";
export { RpcServer } from "./rpc-server.js";
export type { BoundAddress, ListenOptions, RegisterOptions } from "./rpc-server.js";
export type { Logger, RpcServerOptions, ServerLimits } from "./options.js";
export type { CorsOptions } from "./cors.js";
export type { RateLimitOptions } from "./rate-limit.js";
export type {
  InstanceMode,
  ServiceBaseClass,
  ServiceFactory,
  ServiceImplementation,
} from "./registry.js";
export { CallbackGroup } from "./callback-group.js";
export type { Broadcast } from "./callback-group.js";
export type { CallbackRef } from "./context.js";
export { ClusterGroup } from "./cluster/cluster-group.js";
export { BackplaneError } from "./cluster/backplane.js";
export type { Backplane, BackplaneEvents, BackplaneFailure } from "./cluster/backplane.js";
export type { InspectorOptions, MetricsOptions } from "./options.js";
export type { GroupStats, ServerStats } from "./metrics/server-stats.js";
export type { MethodKind, MethodStats } from "./metrics/method-counter.js";
export type { RecentError } from "./metrics/call-metrics.js";
export type { LatencySnapshot } from "./metrics/latency-histogram.js";
export { latencyBounds } from "./metrics/latency-histogram.js";
export { prometheusText, prometheusContentType } from "./metrics/prometheus.js";
