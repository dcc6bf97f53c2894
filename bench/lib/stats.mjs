/** Small statistics over repeated measurements: the report shows medians and their spread. */

/** The q-quantile (0..1) of `values` by linear interpolation; NaN for none. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const weight = position - lower;
  return sorted[lower] * (1 - weight) + sorted[upper] * weight;
}

export const median = (values) => quantile(values, 0.5);

/** Median with min/max and the interquartile range: what the report prints for each result. */
export function summarize(values) {
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    q1: quantile(values, 0.25),
    q3: quantile(values, 0.75),
    runs: values.length,
  };
}

/** Rounds for the report: 3 significant digits, integers kept whole. */
export function round(value) {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 100) return Math.round(value);
  return Number(value.toPrecision(3));
}

/** Latencies (ms) recorded one per operation; reports p50 and p99. */
export class LatencyRecorder {
  #samples = [];
  record(ms) {
    this.#samples.push(ms);
  }
  get count() {
    return this.#samples.length;
  }
  percentile(p) {
    return quantile(this.#samples, p / 100);
  }
}
