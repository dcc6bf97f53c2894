/**
 * Admission of WebSocket upgrades: at most `maxConnections` per node, and a token bucket
 * of `upgradesPerSecond` (bursts up to `upgradeBurst`) against reconnect storms. A refused
 * upgrade is answered 503 with Retry-After, which a load balancer can take as "try
 * another node".
 */
import type { ServerLimits } from "./options.js";

export interface Refusal {
  readonly status: 503;
  readonly text: string;
  /** Seconds, for the Retry-After header. */
  readonly retryAfter: number;
}

export class UpgradeGate {
  readonly #maxConnections: number;
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #refilledAt = performance.now();

  constructor(limits: ServerLimits) {
    this.#maxConnections = limits.maxConnections;
    this.#rate = limits.upgradesPerSecond;
    this.#burst = Math.max(1, limits.upgradeBurst);
    this.#tokens = this.#burst;
  }

  /** Takes a token for one upgrade; `open` counts connections open or being upgraded. */
  admit(open: number): Refusal | undefined {
    if (open >= this.#maxConnections) {
      return { status: 503, text: "Service Unavailable", retryAfter: 1 };
    }
    if (this.#rate === Number.POSITIVE_INFINITY) return undefined;
    const now = performance.now();
    this.#tokens = Math.min(
      this.#burst,
      this.#tokens + ((now - this.#refilledAt) / 1000) * this.#rate,
    );
    this.#refilledAt = now;
    if (this.#tokens < 1) {
      const wait = Math.ceil((1 - this.#tokens) / this.#rate);
      return { status: 503, text: "Service Unavailable", retryAfter: Math.max(1, wait) };
    }
    this.#tokens -= 1;
    return undefined;
  }
}
