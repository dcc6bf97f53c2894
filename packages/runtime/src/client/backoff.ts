/** Reconnect timing: exponential backoff with jitter, so that many clients of a restarted
 * server do not all knock at the same instant. */
export interface ReconnectOptions {
  /** Delay before the first attempt. Default 250 ms. */
  readonly initialDelayMs?: number;
  /** Upper bound of any delay. Default 10 s. */
  readonly maxDelayMs?: number;
  /** Growth per failed attempt. Default 2. */
  readonly factor?: number;
  /** Fraction (0..1) of each delay that is randomised. Default 0.5. */
  readonly jitter?: number;
  /** Attempts before giving up (the connection then closes for good). Default unlimited. */
  readonly maxAttempts?: number;
}

export type ResolvedReconnect = Required<ReconnectOptions>;

export function resolveReconnect(options: ReconnectOptions = {}): ResolvedReconnect {
  return {
    initialDelayMs: options.initialDelayMs ?? 250,
    maxDelayMs: options.maxDelayMs ?? 10_000,
    factor: options.factor ?? 2,
    jitter: Math.min(1, Math.max(0, options.jitter ?? 0.5)),
    maxAttempts: options.maxAttempts ?? Number.POSITIVE_INFINITY,
  };
}

/**
 * The delay before attempt number `attempt` (0-based): `initial * factor^attempt`, capped,
 * then up to `jitter` of it taken away at random (never added, so the cap holds).
 */
export function backoffDelay(
  options: ResolvedReconnect,
  attempt: number,
  random: () => number = Math.random,
): number {
  const exponential = options.initialDelayMs * Math.pow(options.factor, attempt);
  const capped = Math.min(options.maxDelayMs, exponential);
  return Math.round(capped * (1 - options.jitter * random()));
}
