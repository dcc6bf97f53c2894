/**
 * Scenarios measured by a script of their own (the IDL front end and generator benches):
 * the runner starts `node bench/<script> --json [--quick]` once per repetition and reads the
 * last line of its standard output, a JSON object with at least `value` (a number) and
 * optionally `unit`, `better` ("higher" | "lower") and `extra` (named numbers).
 */
export function externalScenario({ id, title, description, script, unit, better }) {
  return {
    id,
    title,
    description,
    unit,
    better,
    baseline: undefined,
    transport: "external",
    script,
    contenders: ["svcgen"],
    params: () => ({}),
    // Each run checks or generates 100k+ lines (idl-check: best of 3 per size): 3 runs give
    // the median without adding two minutes to the full set.
    maxRuns: 3,
  };
}
