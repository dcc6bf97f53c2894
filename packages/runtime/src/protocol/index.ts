export { ErrorCode } from "./codes.js";
export { RpcError, errorFields, fromWireError, toWireError } from "./errors.js";
export type { WireErrorObject } from "./errors.js";
export { NestedTooDeeply, defaultMaxDepth, parseJsonText, stringifyJson } from "./json-text.js";
export type { ParsedJson } from "./json-text.js";
