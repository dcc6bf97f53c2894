import type { JsonValue } from "../codec/schema.js";
import type { ErrorDescriptor } from "../descriptors.js";
import { ErrorCode } from "./codes.js";

/**
 * The one error class of svcgen: every failure of a call, on either side, is an RpcError
 * with a JSON-RPC `code` (see ErrorCode). Declared IDL errors are generated subclasses
 * carrying their `descriptor` and fields; they travel with code -32000.
 */
export class RpcError extends Error {
  readonly code: number;
  /** Extra detail that travels on the wire (`error.data`). */
  readonly data?: JsonValue;
  /** Set on declared errors: the generated error's descriptor. */
  readonly descriptor?: ErrorDescriptor;

  constructor(code: number, message: string, data?: JsonValue);
  constructor(descriptor: ErrorDescriptor<any, any>, fields: object, message?: string);
  constructor(
    codeOrDescriptor: number | ErrorDescriptor<any, any>,
    messageOrFields: string | object,
    dataOrMessage?: JsonValue | string,
  ) {
    if (typeof codeOrDescriptor === "number") {
      super(messageOrFields as string);
      this.code = codeOrDescriptor;
      if (dataOrMessage !== undefined) this.data = dataOrMessage as JsonValue;
    } else {
      super((dataOrMessage as string | undefined) ?? codeOrDescriptor.name);
      this.code = ErrorCode.DeclaredError;
      this.descriptor = codeOrDescriptor;
    }
    this.name = new.target.name;
  }
}
