/** The scenario registry: ids in report order. */
export const scenarioIds = [
  "ws-seq",
  "ws-pipelined",
  "ws-50-clients",
  "callback-push",
  "fanout-1000",
  "mem-per-conn",
  "rest-seq",
  "rest-50",
  "large-payload",
  "large-payload-rest",
  "codec",
  "idl-check",
  "idl-generate",
  "lsp-edit",
];

export async function loadScenario(id) {
  if (!scenarioIds.includes(id)) throw new Error(`unknown scenario ${id}`);
  const scenario = (await import(`./${id}.mjs`)).default;
  // A contender listed twice (by name and through a group such as binaryPeers) runs once.
  if (scenario.contenders) scenario.contenders = [...new Set(scenario.contenders)];
  return scenario;
}
