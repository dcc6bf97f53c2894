/** The WebSocket parts of the runtime that the tests use. */
export { connectWebSocket } from "../../packages/runtime/src/client/ws.js";
export type {
  WebSocketConnection,
  WebSocketConnectOptions,
} from "../../packages/runtime/src/client/ws.js";
export { ContractMismatchError } from "../../packages/runtime/src/client/ws-contract.js";
export { CallbackGroup } from "../../packages/runtime/src/server/callback-group.js";
