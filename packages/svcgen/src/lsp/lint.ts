/**
 * `svcgen lint` in the language server: each file's lint problems, kept until something they
 * depend on changes. A file is linted again only when it was re-parsed or re-checked, its
 * imports resolve differently, it gains or loses errors, its config changed, or (for a file
 * with a service, whose unused types are reported) whether each of its declarations is
 * referenced somewhere changed.
 */
import { LintConfigError, LintConfigFinder, lintSource } from "../lint/index.js";
import type { LintConfig, LintProblem } from "../lint/index.js";
import type { AnalyzedFile, WorkspaceAnalysis } from "./analysis.js";
import { qualify } from "./analysis.js";

interface Linted {
  readonly file: AnalyzedFile;
  readonly references: AnalyzedFile["references"];
  readonly importPaths: AnalyzedFile["importPaths"];
  readonly hasErrors: boolean;
  readonly config: LintConfig | undefined;
  readonly usage: string;
  readonly problems: readonly LintProblem[];
  /** `problems`, serialised. */
  readonly key: string;
  /** The problems last handed out by `changed()`, serialised. */
  reportedKey: string;
}

export class WorkspaceLint {
  private readonly linted = new Map<string, Linted>();
  private readonly configs: LintConfigFinder;
  /** Config files already complained about: the log says it once. */
  private readonly reportedConfigErrors = new Set<string>();

  constructor(
    private readonly analysis: WorkspaceAnalysis,
    private readonly logError: (message: string) => void,
    readText?: (absolute: string) => string | undefined,
  ) {
    this.configs = new LintConfigFinder(readText);
  }

  /** The lint problems of a file as it is now, in source order. */
  problems(absolute: string): readonly LintProblem[] {
    return this.current(absolute)?.problems ?? [];
  }

  /** Config files changed: every file is linted again when next asked. */
  configChanged(): void {
    this.configs.clear();
    this.reportedConfigErrors.clear();
  }

  /** The files whose lint problems differ from the last time this was asked. */
  changed(): string[] {
    const changed: string[] = [];
    for (const absolute of [...this.linted.keys()]) {
      if (!this.analysis.get(absolute)) {
        this.linted.delete(absolute);
      }
    }
    for (const file of this.analysis.all()) {
      const entry = this.current(file.path);
      if (!entry) continue;
      if (entry.key !== entry.reportedKey) {
        entry.reportedKey = entry.key;
        changed.push(file.path);
      }
    }
    return changed;
  }

  private current(absolute: string): Linted | undefined {
    const file = this.analysis.get(absolute);
    if (!file) return undefined;
    const hasErrors = this.analysis.diagnostics(absolute).length > 0;
    const config = this.configFor(absolute);
    const usage = this.usage(file);
    const last = this.linted.get(absolute);
    if (
      last &&
      last.file === file &&
      last.references === file.references &&
      last.importPaths === file.importPaths &&
      last.hasErrors === hasErrors &&
      last.config === config &&
      last.usage === usage
    ) {
      return last;
    }
    const problems = lintSource(
      {
        ast: file.ast,
        hasErrors,
        importPaths: file.importPaths,
        references: file.references,
        declaringFile: (name) => this.analysis.declaringFile(name),
        isReferenced: (name) => this.analysis.isReferenced(name),
      },
      file.text,
      absolute,
      config,
    );
    const entry: Linted = {
      file,
      references: file.references,
      importPaths: file.importPaths,
      hasErrors,
      config,
      usage,
      problems,
      key: JSON.stringify(problems),
      reportedKey: last?.reportedKey ?? "",
    };
    this.linted.set(absolute, entry);
    return entry;
  }

  /**
   * Which of the file's declarations are referenced somewhere, as a string of 0s and 1s:
   * all the unused-type rule reads of other files. "" for a file without a service.
   */
  private usage(file: AnalyzedFile): string {
    const { declarations, packageName } = file.ast;
    if (!declarations.some((node) => node.kind === "interface")) return "";
    let bits = "";
    for (const node of declarations) {
      bits += this.analysis.isReferenced(qualify(packageName, node.name)) ? "1" : "0";
    }
    return bits;
  }

  private configFor(absolute: string): LintConfig | undefined {
    try {
      return this.configs.forFile(absolute);
    } catch (error) {
      if (!(error instanceof LintConfigError)) throw error;
      if (!this.reportedConfigErrors.has(error.message)) {
        this.reportedConfigErrors.add(error.message);
        this.logError(`svcgen lsp: lint configuration ignored: ${error.message}`);
      }
      return undefined;
    }
  }
}
