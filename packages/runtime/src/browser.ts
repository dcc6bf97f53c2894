/**
 * @svcgen/runtime for browsers: the client side only (codecs, descriptors, errors, and the
 * HTTP and WebSocket connections). Nothing reachable from here imports a Node module, `ws`
 * or `undici` statically, so bundlers can take it as is; generated modules work unchanged
 * (the server-side names they mention are types only).
 */
export * from "./codec/index.js";
export * from "./encoding/index.js";
export * from "./protocol/index.js";
export * from "./descriptors.js";
export * from "./client/index.js";
export * from "./interceptors/index.js";
export type {
  CallContext,
  ConnectionInfo,
  CallbackHandle,
  CallbackProxy,
} from "./server/context.js";
