/**
 * A latency histogram with fixed bucket bounds, shared by every method: observing is a short
 * scan over a dozen numbers and one increment, with nothing allocated per call.
 */

/**
 * Upper bounds of the buckets, in seconds (Prometheus `le`). Finer than Prometheus' default
 * at the low end: a call served from memory takes well under a millisecond.
 */
export const latencyBounds: readonly number[] = Object.freeze([
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

export interface LatencySnapshot {
  /** `latencyBounds`. */
  readonly bounds: readonly number[];
  /** Cumulative: `counts[i]` observations took at most `bounds[i]` seconds. */
  readonly counts: readonly number[];
  /** All observations (the `+Inf` bucket). */
  readonly count: number;
  readonly sumSeconds: number;
}

export class LatencyHistogram {
  /** Per bucket, not cumulative; the last one holds what is over the largest bound. */
  readonly #buckets = new Float64Array(latencyBounds.length + 1);
  #count = 0;
  #sum = 0;

  observe(seconds: number): void {
    let i = 0;
    while (i < latencyBounds.length && seconds > latencyBounds[i]!) i++;
    this.#buckets[i]!++;
    this.#count++;
    this.#sum += seconds;
  }

  snapshot(): LatencySnapshot {
    const counts: number[] = new Array(latencyBounds.length);
    let running = 0;
    for (let i = 0; i < latencyBounds.length; i++) {
      running += this.#buckets[i]!;
      counts[i] = running;
    }
    return { bounds: latencyBounds, counts, count: this.#count, sumSeconds: this.#sum };
  }
}
