/**
 * The CallContext an implementation is given for one invocation.
 *
 * A class, not an object literal with a `signal` getter: every evaluation of a literal with
 * an accessor gives the object a hidden class of its own, and hidden classes live in old
 * space. From there the getter's closure kept the whole call (invocation, request, response,
 * socket buffers) alive through every young-generation collection until the next full one:
 * under 50 concurrent REST clients ~4 KB a request was promoted and scavenges took 10 ms
 * instead of 1 (see bench/FINDINGS.md).
 */
import type { CallContext, ConnectionInfo } from "./context.js";
import type { Invocation } from "./dispatcher.js";

export class InvocationContext implements CallContext {
  readonly principal: unknown;
  readonly transport: "http" | "ws";
  readonly connection?: ConnectionInfo;
  readonly #inv: Invocation;

  constructor(inv: Invocation, principal: unknown = inv.principal) {
    this.#inv = inv;
    this.principal = principal;
    this.transport = inv.transport;
    if (inv.connection !== undefined) this.connection = inv.connection;
  }

  /** Read through: a transport may make the signal only when someone looks. */
  get signal(): AbortSignal {
    return this.#inv.signal;
  }
}
