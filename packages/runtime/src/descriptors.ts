/**
 * Descriptors: what generated code declares about services, callbacks and errors, and
 * the only thing the dispatcher, the transports and the OpenAPI writer read.
 */
import type {
  AnySchema,
  FieldType,
  OptionalSchema,
  RecordSchema,
  Schema,
  TypeDocs,
} from "./codec/schema.js";
import { t } from "./codec/types.js";

export interface ParamDescriptor {
  /** The IDL name; also the key on the wire. */
  readonly name: string;
  readonly optional: boolean;
  /** Set for value parameters. */
  readonly schema?: AnySchema;
  /** Set for callback parameters (WebSocket only). */
  readonly callback?: CallbackDescriptor;
  /** The IDL doc comment, if any. */
  readonly doc?: string;
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
  /** `@resubscribe`: called again by the client, same arguments, after a lost session. */
  readonly resubscribe: boolean;
  /**
   * `@conflate("param")` on a oneway callback method: the parameter whose value keys the
   * replacement of an older queued call by a newer one (see docs/sessions.md).
   */
  readonly conflate?: string;
  /**
   * `@rateLimit("20/s")` on an interface method: calls per period per caller the server
   * allows (docs/operations.md); a server's `rateLimits` option may override it.
   */
  readonly rateLimit?: string;
  /** True when any parameter is a callback: such a method needs a WebSocket. */
  readonly takesCallback: boolean;
  readonly deprecated?: true | string;
  /** The IDL doc comment, if any. */
  readonly doc?: string;
}

interface ContractDescriptor {
  /** Package-qualified wire name, e.g. `jobs.JobService`. */
  readonly name: string;
  /** SHA-256 (hex) of the canonical signature text; see docs/generated-code.md. */
  readonly contractHash: string;
  /** By IDL method name, in IDL order. */
  readonly methods: ReadonlyMap<string, MethodDescriptor>;
  /** The IDL doc comment, if any. */
  readonly doc?: string;
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
  /** The IDL doc comment, if any (its fields' are on `fields`). */
  readonly doc?: string;
}

/** What generated code writes for one method; `defineService` turns it into a descriptor. */
export interface MethodSpec {
  readonly name: string;
  readonly params: readonly ParamSpec[];
  readonly returns?: Schema<any>;
  readonly throws?: readonly ErrorDescriptor[];
  readonly oneway?: boolean;
  readonly idempotent?: boolean;
  readonly resubscribe?: boolean;
  readonly conflate?: string;
  readonly rateLimit?: string;
  readonly deprecated?: true | string;
  readonly doc?: string;
}

export interface ParamSpec {
  readonly name: string;
  readonly doc?: string;
  /** Also implied by a `t.optional(...)` schema. */
  readonly optional?: boolean;
  readonly schema?: Schema<any> | OptionalSchema<any>;
  readonly callback?: CallbackDescriptor<any>;
}

export interface ContractSpec {
  readonly name: string;
  readonly contractHash: string;
  readonly doc?: string;
  readonly methods: readonly MethodSpec[];
}

export interface ErrorSpec<E extends Error, F> {
  readonly name: string;
  readonly status?: number;
  /** Lazy, like `t.record`; optional fields are `t.optional(schema)`. */
  readonly fields: () => Record<string, FieldType>;
  readonly create: (fields: F, message?: string) => E;
  /** The error's doc comment and its fields' (by field name). */
  readonly docs?: TypeDocs;
}

/** Builds the descriptor of an IDL `interface` from what generated code declares. */
export function defineService<T = unknown>(spec: ContractSpec): ServiceDescriptor<T> {
  return defineContract<ServiceDescriptor<T>>("service", spec);
}

/** Builds the descriptor of an IDL `callback` from what generated code declares. */
export function defineCallback<C = unknown>(spec: ContractSpec): CallbackDescriptor<C> {
  return defineContract<CallbackDescriptor<C>>("callback", spec);
}

/** Builds the descriptor of an IDL `error`; its fields become a record schema of the same name. */
export function defineError<E extends Error, F = any>(
  spec: ErrorSpec<E, F>,
): ErrorDescriptor<E, F> {
  return {
    kind: "error",
    name: spec.name,
    status: spec.status ?? 400,
    fields: t.record<F>(spec.name, spec.fields, spec.docs) as unknown as RecordSchema & Schema<F>,
    create: spec.create,
    ...(spec.docs?.doc !== undefined && { doc: spec.docs.doc }),
  };
}

function defineContract<D extends ServiceDescriptor<any> | CallbackDescriptor<any>>(
  kind: D["kind"],
  spec: ContractSpec,
): D {
  const methods = new Map<string, MethodDescriptor>();
  const descriptor = {
    kind,
    name: spec.name,
    contractHash: spec.contractHash,
    methods: methods as ReadonlyMap<string, MethodDescriptor>,
    ...(spec.doc !== undefined && { doc: spec.doc }),
  } as D;
  for (const method of spec.methods) {
    if (methods.has(method.name)) {
      throw new Error(`${spec.name} declares method ${method.name} twice`);
    }
    methods.set(method.name, defineMethod(descriptor, method));
  }
  return descriptor;
}

function defineMethod(
  owner: ServiceDescriptor<any> | CallbackDescriptor<any>,
  spec: MethodSpec,
): MethodDescriptor {
  const params = spec.params.map((param) => defineParam(`${owner.name}.${spec.name}`, param));
  const method: MethodDescriptor = {
    name: spec.name,
    wireName: `${owner.name}.${spec.name}`,
    owner,
    params,
    throws: spec.throws ?? [],
    oneway: spec.oneway ?? false,
    idempotent: spec.idempotent ?? false,
    resubscribe: spec.resubscribe ?? false,
    ...(spec.conflate !== undefined && { conflate: spec.conflate }),
    ...(spec.rateLimit !== undefined && { rateLimit: spec.rateLimit }),
    takesCallback: params.some((param) => param.callback !== undefined),
    ...(spec.returns !== undefined && { returns: spec.returns as AnySchema }),
    ...(spec.deprecated !== undefined && { deprecated: spec.deprecated }),
    ...(spec.doc !== undefined && { doc: spec.doc }),
  };
  return method;
}

function defineParam(method: string, spec: ParamSpec): ParamDescriptor {
  const marker = spec.schema?.kind === "optional" ? (spec.schema as OptionalSchema) : undefined;
  const schema = (marker ? marker.schema : spec.schema) as AnySchema | undefined;
  if ((schema === undefined) === (spec.callback === undefined)) {
    throw new TypeError(`${method}: parameter ${spec.name} needs either a schema or a callback`);
  }
  return {
    name: spec.name,
    optional: spec.optional === true || marker !== undefined,
    ...(schema !== undefined && { schema }),
    ...(spec.callback !== undefined && { callback: spec.callback }),
    ...(spec.doc !== undefined && { doc: spec.doc }),
  };
}
