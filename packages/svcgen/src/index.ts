/** The public API of the svcgen compiler. */
export { loadProgram, formatDiagnostics, UsageError } from "./program.js";
export type { Program } from "./program.js";
export type { Diagnostic } from "./diagnostics/diagnostic.js";
export { Code as DiagnosticCode } from "./diagnostics/diagnostic.js";
export { generateFiles } from "./generate/index.js";
export type { GeneratedFile, GenerateOptions } from "./generate/index.js";
export type * from "./model/model.js";
export { formatSource, FormatterError } from "./format/index.js";
export { lintRules, LintCode } from "./lint/index.js";
export type { LintRule, LintSeverity } from "./lint/index.js";
