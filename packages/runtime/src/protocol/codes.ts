/** JSON-RPC `error.code` values of PROTOCOL.md. One table; every transport maps from it. */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  DeclaredError: -32000,
  CallbackReleased: -32001,
  Cancelled: -32002,
  TimedOut: -32003,
  Unauthenticated: -32004,
  Forbidden: -32005,
  LimitExceeded: -32006,
  ConnectionClosed: -32007,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
