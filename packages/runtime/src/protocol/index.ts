export { ErrorCode } from "./codes.js";
export { RpcError } from "./errors.js";
