import { externalScenario } from "./external.mjs";

export default externalScenario({
  id: "idl-check",
  title: "IDL check (parse + resolve + check)",
  description: "`bench/idl-check.mjs`: the front end over a generated IDL corpus.",
  script: "idl-check.mjs",
  unit: "lines/s",
  better: "higher",
});
