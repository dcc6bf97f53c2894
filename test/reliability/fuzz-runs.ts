/**
 * How many cases a fuzz property runs. `npm test` runs a small sample so the suite stays
 * fast; `FUZZ_RUNS=100000` turns every fuzz property into a long run.
 */
export function fuzzRuns(sample: number): number {
  const requested = Number(process.env["FUZZ_RUNS"]);
  return Number.isInteger(requested) && requested > 0 ? requested : sample;
}

/** Per-test timeout: generous for long runs, jest's default otherwise. */
export function fuzzTimeout(sampleMs: number): number {
  return process.env["FUZZ_RUNS"] ? 24 * 60 * 60 * 1000 : sampleMs;
}
