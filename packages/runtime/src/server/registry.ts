/**
 * The services an RpcServer serves, each with how its implementation instances are made:
 * one shared instance, one per call, or one per connection (see docs/runtime.md).
 */
import type { MethodDescriptor, ServiceDescriptor } from "../descriptors.js";
import type { CallContext } from "./context.js";

export type InstanceMode = "shared" | "perCall" | "perConnection";

/** An implementation: an object with one method per IDL method (a generated base subclass). */
export type ServiceImplementation = object;

/** What `register(Base, factory)` accepts as Base: a class with a static `descriptor`. */
export interface ServiceBaseClass {
  readonly descriptor: ServiceDescriptor<any>;
}

/** Builds an implementation for a call (`perCall`) or for a connection's first call. */
export type ServiceFactory = (ctx: CallContext) => ServiceImplementation;

export interface Registration {
  readonly descriptor: ServiceDescriptor<any>;
  readonly mode: InstanceMode;
  /** Set for `shared`. */
  readonly instance?: ServiceImplementation;
  /** Set for `perCall` and `perConnection`. */
  readonly factory?: ServiceFactory;
}

/**
 * Holds the `perConnection` instances of one connection (WebSocket) or one request (HTTP).
 * Dispose it when the connection or request ends.
 */
export class InstanceScope {
  // Made on first use: an HTTP request gets a scope, and most never put anything in it.
  #instances: Map<Registration, ServiceImplementation> | undefined;
  #disposeListeners: (() => void)[] | undefined;
  #disposed = false;

  /** The scope's instance for `registration`, made with `create` on first use. */
  instanceFor(
    registration: Registration,
    create: () => ServiceImplementation,
  ): ServiceImplementation {
    let instance = this.#instances?.get(registration);
    if (instance === undefined) {
      instance = create();
      if (!this.#disposed) (this.#instances ??= new Map()).set(registration, instance);
    }
    return instance;
  }

  /** Runs `listener` once when the scope is disposed (at once if it already is). */
  onDispose(listener: () => void): void {
    if (this.#disposed) listener();
    else (this.#disposeListeners ??= []).push(listener);
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#instances = undefined;
    const listeners = this.#disposeListeners;
    this.#disposeListeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
  }
}

export class ServiceRegistry {
  readonly #byName = new Map<string, Registration>();
  /** `/{Service}/{method}` → method, for REST paths as they arrive; made on first use. */
  #restRoutes: Map<string, MethodDescriptor> | undefined;

  add(registration: Registration): void {
    const name = registration.descriptor.name;
    if (this.#byName.has(name)) throw new Error(`service ${name} is already registered`);
    this.#byName.set(name, registration);
    this.#restRoutes = undefined;
  }

  /**
   * The method at REST path `path` (`/calculator.Calculator/add`), when the path is written
   * without escapes: one map lookup, no slicing. Undefined means "not written plainly", not
   * "not found" (a path with `%` escapes is decoded and looked up by segment instead).
   */
  restRoute(path: string): MethodDescriptor | undefined {
    this.#restRoutes ??= this.#routeTable();
    return this.#restRoutes.get(path);
  }

  #routeTable(): Map<string, MethodDescriptor> {
    const routes = new Map<string, MethodDescriptor>();
    for (const { descriptor } of this.#byName.values()) {
      for (const [name, method] of descriptor.methods)
        routes.set(`/${descriptor.name}/${name}`, method);
    }
    return routes;
  }

  get(serviceName: string): Registration | undefined {
    return this.#byName.get(serviceName);
  }

  registrations(): IterableIterator<Registration> {
    return this.#byName.values();
  }

  /** The implementation serving a call, made according to the registration's mode. */
  implementationFor(
    registration: Registration,
    ctx: CallContext,
    /** Where `perConnection` instances live; read only for those (a scope is made on first use). */
    holder: { readonly scope: InstanceScope },
  ): ServiceImplementation {
    switch (registration.mode) {
      case "shared":
        return registration.instance!;
      case "perCall":
        return registration.factory!(ctx);
      case "perConnection":
        return holder.scope.instanceFor(registration, () => registration.factory!(ctx));
    }
  }
}
