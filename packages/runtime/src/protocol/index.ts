export { ErrorCode } from "./codes.js";
