/** The `authorize` option as an interceptor: the innermost step before the implementation. */
import type { MethodDescriptor } from "../descriptors.js";
import type { InterceptedCall, Interceptor } from "../interceptors/interceptor.js";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError } from "../protocol/errors.js";
import type { CallContext, ConnectionInfo } from "./context.js";
import type { Logger } from "./options.js";

export type AuthorizeHook = (
  ctx: CallContext,
  method: MethodDescriptor,
) => boolean | Promise<boolean>;

/**
 * Refuses a call (-32005) unless `authorize` answers `true`. A hook that throws or rejects
 * refuses it too: a failing policy must not let calls through, nor turn into an internal
 * error. Its exception is logged, never sent. Calls only: callbacks are not authorized.
 */
export function authorizeInterceptor(authorize: AuthorizeHook, logger: Logger): Interceptor {
  return (next) => (call) => {
    if (call.kind !== "call" || call.side !== "server") return next(call);
    const refuse = (error: unknown) => {
      logger.warn("authorize failed; the call is refused", {
        method: call.method.wireName,
        reason: error instanceof Error ? error.message : String(error),
      });
      return false;
    };
    const ctx = new InterceptedContext(call);
    let verdict: Promise<unknown>;
    try {
      verdict = Promise.resolve(authorize(ctx, call.method)).catch(refuse);
    } catch (error) {
      verdict = Promise.resolve(refuse(error));
    }
    return verdict.then((allowed) => {
      if (allowed !== true) throw new RpcError(ErrorCode.Forbidden, "Forbidden");
      return next(call);
    });
  };
}

/** The CallContext `authorize` is asked with: the call as the interceptors left it. */
class InterceptedContext implements CallContext {
  readonly principal: unknown;
  readonly transport: "http" | "ws";
  readonly connection?: ConnectionInfo;
  readonly #call: InterceptedCall;

  constructor(call: InterceptedCall) {
    this.#call = call;
    this.principal = call.principal;
    this.transport = call.transport;
    if (call.connection !== undefined) this.connection = call.connection;
  }

  get signal(): AbortSignal {
    return this.#call.signal!;
  }
}
