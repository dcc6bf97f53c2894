/**
 * Admission of WebSocket upgrades: at most `maxConnections` per node, and two token
 * buckets against reconnect storms: `upgradesPerSecond` (bursts up to `upgradeBurst`) for
 * new connections, `resumesPerSecond` (bursts up to `resumeBurst`) for upgrades that say
 * they resume a session (the svcgen client adds `svcgen-resume=1` to the URL when it
 * reconnects with a session). A refused upgrade is answered 503 with Retry-After, which a
 * load balancer can take as "try another node", and which a client retries with backoff.
 */
import type { ServerLimits } from "./options.js";

export interface Refusal {
  readonly status: 503;
  readonly text: string;
  /** Seconds, for the Retry-After header. */
  readonly retryAfter: number;
}

/** `rate` tokens per second, at most `burst` saved up. */
class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #refilledAt = performance.now();

  constructor(rate: number, burst: number) {
    this.#rate = rate;
    this.#burst = Math.max(1, burst);
    this.#tokens = this.#burst;
  }

  /** Takes a token; otherwise the seconds until one is back. */
  take(): number | undefined {
    if (this.#rate === Number.POSITIVE_INFINITY) return undefined;
    const now = performance.now();
    this.#tokens = Math.min(
      this.#burst,
      this.#tokens + ((now - this.#refilledAt) / 1000) * this.#rate,
    );
    this.#refilledAt = now;
    if (this.#tokens < 1) return Math.max(1, Math.ceil((1 - this.#tokens) / this.#rate));
    this.#tokens -= 1;
    return undefined;
  }
}

export class UpgradeGate {
  readonly #maxConnections: number;
  readonly #upgrades: TokenBucket;
  readonly #resumes: TokenBucket;

  constructor(limits: ServerLimits) {
    this.#maxConnections = limits.maxConnections;
    this.#upgrades = new TokenBucket(limits.upgradesPerSecond, limits.upgradeBurst);
    this.#resumes = new TokenBucket(limits.resumesPerSecond, limits.resumeBurst);
  }

  /**
   * Takes a token for one upgrade (from the resume bucket when it says it resumes);
   * `open` counts connections open or being upgraded.
   */
  admit(open: number, resuming: boolean): Refusal | undefined {
    if (open >= this.#maxConnections) {
      return { status: 503, text: "Service Unavailable", retryAfter: 1 };
    }
    const wait = (resuming ? this.#resumes : this.#upgrades).take();
    if (wait === undefined) return undefined;
    return { status: 503, text: "Service Unavailable", retryAfter: wait };
  }
}
