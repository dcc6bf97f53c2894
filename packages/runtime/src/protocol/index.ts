export { ErrorCode } from "./codes.js";
export { RpcError, errorFields, fromWireError, toWireError } from "./errors.js";
export type { WireErrorObject } from "./errors.js";
