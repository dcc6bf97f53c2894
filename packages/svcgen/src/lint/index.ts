/**
 * `svcgen lint` for one file: the rules' findings, less what the config turns off and the
 * suppression comments silence, each at the severity the config gives it. Used by the
 * command line and the language server alike.
 */
import { lintFile } from "./check-file.js";
import type { LintFinding, LintInput } from "./check-file.js";
import { settingFor } from "./config.js";
import type { LintConfig } from "./config.js";
import { ruleOf } from "./rules.js";
import type { LintSeverity } from "./rules.js";
import { isSuppressed, readSuppressions } from "./suppressions.js";

export type { LintInput, LintFinding } from "./check-file.js";
export { LintConfigError, LintConfigFinder, parseLintConfig, CONFIG_FILE } from "./config.js";
export type { LintConfig } from "./config.js";
export { LintCode, lintRules, findRule } from "./rules.js";
export type { LintRule, LintSeverity } from "./rules.js";

export interface LintProblem extends LintFinding {
  readonly severity: LintSeverity;
}

/** The lint problems of the file at `absolute` with text `text`, in source order. */
export function lintSource(
  input: LintInput,
  text: string,
  absolute: string,
  config: LintConfig | undefined,
): LintProblem[] {
  const findings = lintFile(input);
  if (findings.length === 0) return [];
  const suppressions = readSuppressions(text);
  const kept: LintProblem[] = [];
  for (const finding of findings) {
    const setting = settingFor(config, finding.code, ruleOf(finding.code).severity, absolute);
    if (setting === "off") continue;
    if (isSuppressed(suppressions, finding.code, finding.firstLine, finding.span.line)) continue;
    kept.push({ ...finding, severity: setting });
  }
  return kept;
}
