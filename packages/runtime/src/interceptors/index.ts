export type { CallNext, InterceptedCall, Interceptor } from "./interceptor.js";
