/** @svcgen/runtime — the Node entry: everything. Browsers use ./browser.ts (client side only). */
export * from "./codec/index.js";
export * from "./encoding/index.js";
export * from "./protocol/index.js";
export * from "./descriptors.js";
export * from "./server/index.js";
export * from "./client/index.js";
export * from "./interceptors/index.js";
