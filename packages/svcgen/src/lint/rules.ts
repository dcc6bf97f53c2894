/**
 * The rules of `svcgen lint` (SVC4xxx): the conventions of the project's own IDL, each with a
 * stable code, a name for configs and comments, and a default severity. docs/lint.md has the
 * reason and an example of each; codes never change meaning.
 */

export type LintSeverity = "warning" | "error";

export interface LintRule {
  readonly code: string;
  /** What configs and suppression comments may call it instead of the code. */
  readonly name: string;
  readonly severity: LintSeverity;
  /** One line: what the rule asks for. */
  readonly summary: string;
}

export const LintCode = {
  TypeName: "SVC4001",
  MethodName: "SVC4002",
  FieldName: "SVC4003",
  EnumMemberName: "SVC4004",
  PackageName: "SVC4005",
  PackageDefined: "SVC4006",
  ServiceDoc: "SVC4007",
  MethodDoc: "SVC4008",
  ReadMethodIdempotent: "SVC4009",
  ImportUsed: "SVC4010",
  TypeUsed: "SVC4011",
} as const;

export type LintCodeValue = (typeof LintCode)[keyof typeof LintCode];

export const lintRules: readonly LintRule[] = [
  {
    code: LintCode.TypeName,
    name: "type-name-pascal-case",
    severity: "warning",
    summary: "declarations (enums, records, errors, unions, interfaces, callbacks) in PascalCase",
  },
  {
    code: LintCode.MethodName,
    name: "method-name-camel-case",
    severity: "warning",
    summary: "methods of interfaces and callbacks in camelCase",
  },
  {
    code: LintCode.FieldName,
    name: "field-name-camel-case",
    severity: "warning",
    summary: "fields, union cases and parameters in camelCase",
  },
  {
    code: LintCode.EnumMemberName,
    name: "enum-member-pascal-case",
    severity: "warning",
    summary: "enum members in PascalCase",
  },
  {
    code: LintCode.PackageName,
    name: "package-name-lower-case",
    severity: "warning",
    summary: "package names of lower-case, dot-separated segments",
  },
  {
    code: LintCode.PackageDefined,
    name: "package-defined",
    severity: "warning",
    summary: "every file declares a package",
  },
  {
    code: LintCode.ServiceDoc,
    name: "service-doc",
    severity: "warning",
    summary: "a doc comment on every interface and callback",
  },
  {
    code: LintCode.MethodDoc,
    name: "method-doc",
    severity: "warning",
    summary: "a doc comment on every method of an interface or callback",
  },
  {
    code: LintCode.ReadMethodIdempotent,
    name: "read-method-idempotent",
    severity: "warning",
    summary: "`@idempotent` on interface methods named like reads (get…, list…, find…)",
  },
  {
    code: LintCode.ImportUsed,
    name: "import-used",
    severity: "warning",
    summary: "every import is used",
  },
  {
    code: LintCode.TypeUsed,
    name: "type-used",
    severity: "warning",
    summary: "every type declared beside a service is used",
  },
];

const byCodeOrName = new Map<string, LintRule>();
for (const rule of lintRules) {
  byCodeOrName.set(rule.code, rule);
  byCodeOrName.set(rule.name, rule);
}

/** The rule a config or comment names, by code (`SVC4003`, any case) or name; else undefined. */
export function findRule(codeOrName: string): LintRule | undefined {
  return byCodeOrName.get(codeOrName) ?? byCodeOrName.get(codeOrName.toUpperCase());
}

export function ruleOf(code: LintCodeValue): LintRule {
  return byCodeOrName.get(code)!;
}
