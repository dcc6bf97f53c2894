import { externalScenario } from "./external.mjs";

export default externalScenario({
  id: "idl-generate",
  title: "IDL generate (check + emit TypeScript)",
  description: "`bench/idl-generate.mjs`: the whole compiler over a generated IDL corpus.",
  script: "idl-generate.mjs",
  unit: "lines/s",
  better: "higher",
});
