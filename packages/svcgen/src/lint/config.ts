/**
 * The `lint` section of `svcgen.json`: rules turned off or given another severity, and paths
 * left out, for every rule or for some. A file is linted with the nearest `svcgen.json` in
 * its folder or above (or the one given with `--config`); paths in it are relative to it.
 *
 *   { "lint": {
 *       "rules": { "SVC4008": "off", "read-method-idempotent": "error" },
 *       "ignore": ["vendor"],
 *       "ignoreOnly": { "field-name-camel-case": ["legacy/old.svc"] } } }
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { findRule } from "./rules.js";
import type { LintSeverity } from "./rules.js";

export const CONFIG_FILE = "svcgen.json";

export type RuleSetting = LintSeverity | "off";

export interface LintConfig {
  /** Absolute path of the config file. */
  readonly file: string;
  /** Code → setting, for the rules the config names. */
  readonly rules: ReadonlyMap<string, RuleSetting>;
  /** Absolute files or folders no rule looks at. */
  readonly ignore: readonly string[];
  /** Code → absolute files or folders that rule does not look at. */
  readonly ignoreOnly: ReadonlyMap<string, readonly string[]>;
}

/** A config that cannot be used: the message names the file and the bad entry. */
export class LintConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LintConfigError";
  }
}

const settings = new Set<string>(["off", "warning", "error"]);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Reads the `lint` section of the config text at `file` (absolute). */
export function parseLintConfig(text: string, file: string): LintConfig {
  const fail = (what: string): never => {
    throw new LintConfigError(`${file}: ${what}`);
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isObject(json)) return fail("expected a JSON object");
  const lint = json["lint"] ?? {};
  if (!isObject(lint)) return fail(`"lint" must be an object`);
  for (const key of Object.keys(lint)) {
    if (!["rules", "ignore", "ignoreOnly"].includes(key)) {
      fail(`unknown key "lint.${key}" (known: rules, ignore, ignoreOnly)`);
    }
  }
  const folder = path.dirname(file);
  const codeOf = (name: string, where: string): string =>
    findRule(name)?.code ?? fail(`${where}: unknown lint rule "${name}" (see docs/lint.md)`);
  const paths = (value: unknown, where: string): string[] => {
    if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
      return fail(`${where} must be an array of paths`);
    }
    return value.map((item: string) => path.resolve(folder, item));
  };

  const rules = new Map<string, RuleSetting>();
  const rulesJson = lint["rules"] ?? {};
  if (!isObject(rulesJson)) fail(`"lint.rules" must be an object`);
  for (const [name, setting] of Object.entries(rulesJson as Record<string, unknown>)) {
    if (typeof setting !== "string" || !settings.has(setting)) {
      fail(`lint.rules.${name}: expected "off", "warning" or "error"`);
    }
    rules.set(codeOf(name, "lint.rules"), setting as RuleSetting);
  }
  const ignore = paths(lint["ignore"] ?? [], `"lint.ignore"`);
  const ignoreOnly = new Map<string, string[]>();
  const ignoreOnlyJson = lint["ignoreOnly"] ?? {};
  if (!isObject(ignoreOnlyJson)) fail(`"lint.ignoreOnly" must be an object`);
  for (const [name, value] of Object.entries(ignoreOnlyJson as Record<string, unknown>)) {
    const code = codeOf(name, "lint.ignoreOnly");
    ignoreOnly.set(code, [
      ...(ignoreOnly.get(code) ?? []),
      ...paths(value, `lint.ignoreOnly.${name}`),
    ]);
  }
  return { file, rules, ignore, ignoreOnly };
}

/** Whether `absolute` is one of `paths` or below one of them. */
function covered(absolute: string, paths: readonly string[]): boolean {
  return paths.some((entry) => absolute === entry || absolute.startsWith(entry + path.sep));
}

/** What the config makes of rule `code` (default `severity`) in file `absolute`. */
export function settingFor(
  config: LintConfig | undefined,
  code: string,
  severity: LintSeverity,
  absolute: string,
): RuleSetting {
  if (!config) return severity;
  if (covered(absolute, config.ignore)) return "off";
  const only = config.ignoreOnly.get(code);
  if (only && covered(absolute, only)) return "off";
  return config.rules.get(code) ?? severity;
}

/**
 * Finds the config of each file: the nearest `svcgen.json` in its folder or above, read once
 * per folder. A config that does not parse throws `LintConfigError` for every file under it.
 */
export class LintConfigFinder {
  private readonly byFolder = new Map<string, LintConfig | LintConfigError | undefined>();

  constructor(
    private readonly readText: (absolute: string) => string | undefined = readIfPresent,
  ) {}

  forFile(absolute: string): LintConfig | undefined {
    return this.inFolder(path.dirname(absolute));
  }

  /** Forgets what was read: a config file changed. */
  clear(): void {
    this.byFolder.clear();
  }

  private inFolder(folder: string): LintConfig | undefined {
    if (!this.byFolder.has(folder)) {
      const file = path.join(folder, CONFIG_FILE);
      const text = this.readText(file);
      let found: LintConfig | LintConfigError | undefined;
      if (text !== undefined) {
        try {
          found = parseLintConfig(text, file);
        } catch (error) {
          if (!(error instanceof LintConfigError)) throw error;
          found = error;
        }
      } else {
        const parent = path.dirname(folder);
        found = parent === folder ? undefined : this.inFolder(parent);
      }
      this.byFolder.set(folder, found);
    }
    const found = this.byFolder.get(folder);
    if (found instanceof LintConfigError) throw found;
    return found;
  }
}

/** The text of a config file, or undefined when there is none. */
export function readIfPresent(absolute: string): string | undefined {
  try {
    return readFileSync(absolute, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new LintConfigError(
      `${absolute}: cannot read (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
