export type { CallContext, ConnectionInfo, CallbackHandle, CallbackProxy } from "./context.js";
