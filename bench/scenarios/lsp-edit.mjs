import { externalScenario } from "./external.mjs";

export default externalScenario({
  id: "lsp-edit",
  title: "Language server: diagnostics after an edit",
  description:
    "`bench/lsp-edit.mjs`: `svcgen lsp` over stdio on a 100k-line workspace; ms from `didChange` to `publishDiagnostics` for an edit of one file.",
  script: "lsp-edit.mjs",
  unit: "ms",
  better: "lower",
});
