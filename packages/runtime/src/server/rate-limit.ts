/**
 * Rate limits: a token bucket per (method, key), as an interceptor. A method's limit comes
 * from the `rateLimits` option or its IDL `@rateLimit("20/s")`; the key is the caller's
 * principal, else its WebSocket connection (a session keeps one across reconnects), else
 * its address. Over the limit a call is refused with -32006 and `data.retryAfterMs` (HTTP
 * 429 with `Retry-After` over REST).
 */
import type { MethodDescriptor } from "../descriptors.js";
import type { InterceptedCall, Interceptor } from "../interceptors/interceptor.js";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError } from "../protocol/errors.js";

export interface RateLimitOptions {
  /**
   * Limits by method wire name (`shop.Shop.buy`) or service (`shop.Shop`), before the
   * IDL's `@rateLimit`; `false` lifts a method's IDL limit. A value is `"20/s"`,
   * `"100/min"`, `"1000/h"`, optionally with a burst: `"20/s, burst 40"`.
   */
  readonly methods?: Readonly<Record<string, string | false>>;
  /** The limit of every method that has none from `methods` or the IDL. Default: none. */
  readonly default?: string;
  /**
   * The bucket a call draws from, within its method. Default: the principal (as JSON),
   * else the WebSocket connection's id, else the peer's address.
   */
  readonly key?: (call: InterceptedCall) => string;
  /** Most buckets kept; past it, the oldest tenth is dropped (they start full again). Default 100 000. */
  readonly maxBuckets?: number;
}

export interface RateLimit {
  /** Calls allowed per `periodMs`, sustained. */
  readonly count: number;
  readonly periodMs: number;
  /** Calls allowed at once after a quiet spell (the bucket's size). Default `count`. */
  readonly burst: number;
  /** As written, for messages. */
  readonly text: string;
}

const periods: Readonly<Record<string, number>> = {
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
};

const grammar = /^(\d{1,9})\s*\/\s*([a-z]+)(?:\s*,\s*burst\s+(\d{1,9}))?$/;

/** `"20/s"`, `"100/min, burst 20"`; undefined when `text` is not a rate limit. */
export function parseRateLimit(text: string): RateLimit | undefined {
  const match = grammar.exec(text.trim());
  if (match === null) return undefined;
  const count = Number(match[1]);
  const periodMs = periods[match[2]!];
  const burst = match[3] === undefined ? count : Number(match[3]);
  if (periodMs === undefined || count < 1 || burst < 1) return undefined;
  return { count, periodMs, burst, text: text.trim() };
}

function required(text: string, where: string): RateLimit {
  const limit = parseRateLimit(text);
  if (limit === undefined) {
    throw new TypeError(
      `${where}: "${text}" is not a rate limit (expected "<count>/<s|min|h>", optionally ", burst <n>")`,
    );
  }
  return limit;
}

interface Bucket {
  tokens: number;
  /** `performance.now()` of the last refill. */
  at: number;
}

/** The buckets of one server and the interceptor that draws from them. */
export class RateLimiter {
  /** True when the options set limits beyond the IDL's (every call must be looked at). */
  readonly configured: boolean;
  readonly #methods: ReadonlyMap<string, RateLimit | false>;
  readonly #default: RateLimit | undefined;
  readonly #key: (call: InterceptedCall) => string;
  readonly #maxBuckets: number;
  readonly #limits = new WeakMap<MethodDescriptor, RateLimit | null>();
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: RateLimitOptions = {}) {
    const methods = new Map<string, RateLimit | false>();
    for (const [name, text] of Object.entries(options.methods ?? {})) {
      methods.set(name, text === false ? false : required(text, `rateLimits.methods["${name}"]`));
    }
    this.#methods = methods;
    this.#default =
      options.default === undefined ? undefined : required(options.default, "rateLimits.default");
    this.#key = options.key ?? defaultKey;
    this.#maxBuckets = options.maxBuckets ?? 100_000;
    this.configured = methods.size > 0 || this.#default !== undefined;
  }

  readonly interceptor: Interceptor = (next) => (call) => {
    if (call.kind !== "call" || call.side !== "server") return next(call);
    const limit = this.limitOf(call.method);
    if (limit === undefined) return next(call);
    const waitMs = this.#take(`${call.method.wireName}\n${this.#key(call)}`, limit);
    if (waitMs > 0) return Promise.reject(rateLimited(call.method, limit, waitMs));
    return next(call);
  };

  /** The limit a method is served under, if any. */
  limitOf(method: MethodDescriptor): RateLimit | undefined {
    let limit = this.#limits.get(method);
    if (limit === undefined) {
      const configured = this.#methods.get(method.wireName) ?? this.#methods.get(method.owner.name);
      const idl =
        method.rateLimit === undefined
          ? undefined
          : required(method.rateLimit, `@rateLimit of ${method.wireName}`);
      limit = configured === false ? null : (configured ?? idl ?? this.#default ?? null);
      this.#limits.set(method, limit);
    }
    return limit ?? undefined;
  }

  /** Takes a token: 0 when there was one, else how long until there is. */
  #take(key: string, limit: RateLimit): number {
    const now = performance.now();
    const perMs = limit.count / limit.periodMs;
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxBuckets) this.#evict();
      bucket = { tokens: limit.burst, at: now };
      this.#buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(limit.burst, bucket.tokens + (now - bucket.at) * perMs);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / perMs);
  }

  /** Room for new buckets: the oldest tenth goes (a caller back after a while starts full). */
  #evict(): void {
    let drop = Math.max(1, Math.floor(this.#maxBuckets / 10));
    for (const key of this.#buckets.keys()) {
      this.#buckets.delete(key);
      if (--drop === 0) break;
    }
  }
}

/** The principal (as JSON), else the WebSocket connection, else the peer's address. */
function defaultKey(call: InterceptedCall): string {
  const { principal } = call;
  if (principal !== undefined && principal !== null) {
    if (typeof principal === "string") return `principal:${principal}`;
    try {
      return `principal:${JSON.stringify(principal)}`;
    } catch {
      // A principal that is not JSON: fall through to the connection or the address.
    }
  }
  if (call.connection !== undefined) return `connection:${call.connection.id}`;
  return `address:${call.remoteAddress ?? "unknown"}`;
}

function rateLimited(method: MethodDescriptor, limit: RateLimit, waitMs: number): RpcError {
  return new RpcError(
    ErrorCode.LimitExceeded,
    `rate limit of ${method.wireName} exceeded (${limit.text})`,
    { retryAfterMs: waitMs },
  );
}
