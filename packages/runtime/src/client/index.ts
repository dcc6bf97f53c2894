export type { CallOptions, Connection } from "./connection.js";
export { connectHttp } from "./http.js";
export type { HttpConnectionOptions } from "./http.js";
export { connectWebSocket } from "./ws.js";
export type { WebSocketConnectOptions, WebSocketConnection, WebSocketState } from "./ws.js";
export { ContractMismatchError } from "./ws-contract.js";
export type { ContractMismatch } from "./ws-contract.js";
export type { WebSocketEvents, WebSocketEventName } from "./ws-events.js";
export type { ReconnectOptions } from "./backoff.js";
