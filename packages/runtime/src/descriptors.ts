/**
 * Descriptors: what generated code declares about services, callbacks and errors, and
 * the only thing the dispatcher, the transports and the OpenAPI writer read.
 */
import type { AnySchema, RecordSchema, Schema } from "./codec/schema.js";

export interface ParamDescriptor {
  /** The IDL name; also the key on the wire. */
  readonly name: string;
  readonly optional: boolean;
  /** Set for value parameters. */
  readonly schema?: AnySchema;
  /** Set for callback parameters (WebSocket only). */
  readonly callback?: CallbackDescriptor;
}

export interface MethodDescriptor {
  /** The IDL method name, e.g. `start`. */
  readonly name: string;
  /** `jobs.JobService.start`: the JSON-RPC method name. */
  readonly wireName: string;
  /** The service or callback declaring it. */
  readonly owner: ServiceDescriptor | CallbackDescriptor;
  readonly params: readonly ParamDescriptor[];
  /** Absent for void. */
  readonly returns?: AnySchema;
  readonly throws: readonly ErrorDescriptor[];
  readonly oneway: boolean;
  readonly idempotent: boolean;
  /** True when any parameter is a callback: such a method needs a WebSocket. */
  readonly takesCallback: boolean;
  readonly deprecated?: true | string;
}

interface ContractDescriptor {
  /** Package-qualified wire name, e.g. `jobs.JobService`. */
  readonly name: string;
  /** SHA-256 (hex) of the canonical signature text; see docs/generated-code.md. */
  readonly contractHash: string;
  /** By IDL method name, in IDL order. */
  readonly methods: ReadonlyMap<string, MethodDescriptor>;
}

/** `T` is the TypeScript interface of the service; it only types generated code. */
export interface ServiceDescriptor<T = unknown> extends ContractDescriptor {
  readonly kind: "service";
  /** Phantom: never set at run time. */
  readonly __type?: T;
}

export interface CallbackDescriptor<C = unknown> extends ContractDescriptor {
  readonly kind: "callback";
  readonly __type?: C;
}

export interface ErrorDescriptor<E extends Error = Error, F = any> {
  readonly kind: "error";
  /** Package-qualified wire name, e.g. `jobs.JobNotFound`. */
  readonly name: string;
  /** HTTP status for REST: `@status`, 400 when absent. */
  readonly status: number;
  /** The error's fields as a record schema (named like the error). */
  readonly fields: RecordSchema & Schema<F>;
  /** Builds the generated error class from decoded fields (used by clients). */
  create(fields: F, message?: string): E;
}

/** What generated code writes for one method; `defineService` turns it into a descriptor. */
export interface MethodSpec {
  readonly name: string;
  readonly params: readonly ParamSpec[];
  readonly returns?: Schema<any>;
  readonly throws?: readonly ErrorDescriptor[];
  readonly oneway?: boolean;
  readonly idempotent?: boolean;
  readonly deprecated?: true | string;
}

export interface ParamSpec {
  readonly name: string;
  readonly optional?: boolean;
  readonly schema?: Schema<any>;
  readonly callback?: CallbackDescriptor<any>;
}

export interface ContractSpec {
  readonly name: string;
  readonly contractHash: string;
  readonly methods: readonly MethodSpec[];
}

export interface ErrorSpec<E extends Error, F> {
  readonly name: string;
  readonly status?: number;
  readonly fields: () => Record<string, Schema<any>>;
  readonly create: (fields: F, message?: string) => E;
}
