/**
 * Escaping of IDL names in TypeScript. IDL names are always valid identifiers, but some
 * cannot be bindings (reserved words), some change meaning as keys (`__proto__` in an
 * object literal sets the prototype; a class method named `constructor` is the
 * constructor). The wire name never changes: only the TypeScript spelling does.
 */

/** Words that cannot name a variable or parameter in a strict-mode ES module. */
const RESERVED_BINDINGS = new Set([
  "arguments",
  "await",
  "break",
  "case",
  "catch",
  "class",
  "const",
  "continue",
  "debugger",
  "default",
  "delete",
  "do",
  "else",
  "enum",
  "eval",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "implements",
  "import",
  "in",
  "instanceof",
  "interface",
  "let",
  "new",
  "null",
  "package",
  "private",
  "protected",
  "public",
  "return",
  "static",
  "super",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "var",
  "void",
  "while",
  "with",
  "yield",
]);

/**
 * Names a generated type or class cannot have, or that would hide a global the generated
 * code itself uses (`Date`, `Promise`, …) in type positions.
 */
const RESERVED_TYPE_NAMES = new Set([
  ...RESERVED_BINDINGS,
  "any",
  "bigint",
  "globalThis",
  "boolean",
  "never",
  "number",
  "object",
  "string",
  "symbol",
  "undefined",
  "unknown",
]);

/** True when a declaration name cannot name an exported TypeScript type or class. */
export function unusableDeclarationName(name: string): boolean {
  return RESERVED_TYPE_NAMES.has(name);
}

/**
 * A local name for parameter `name` that is a legal binding and differs from every name
 * in `taken` (the other parameters and the module-level names the method body uses).
 */
export function safeBinding(name: string, taken: ReadonlySet<string>): string {
  let candidate = RESERVED_BINDINGS.has(name) || taken.has(name) ? `${name}_` : name;
  while (taken.has(candidate)) candidate += "_";
  return candidate;
}

/** Key in an object literal: `__proto__` must be computed or it sets the prototype. */
export function objectKey(name: string): string {
  return name === "__proto__" ? `["__proto__"]` : name;
}

/** Key of a member in an interface or type literal (every identifier works; quote the odd one). */
export function typeKey(name: string): string {
  return name === "__proto__" ? `"__proto__"` : name;
}

/**
 * Name of a method in a class body: a method named `constructor` would be the class
 * constructor, so it is written as a computed key, which defines an ordinary method.
 */
export function classMethodKey(name: string): string {
  return name === "constructor" ? `["constructor"]` : name;
}

/**
 * Instance fields that a class cannot declare plainly (`constructor`) or that an
 * assignment would treat as the prototype setter (`__proto__`): the error classes define
 * them with `Object.defineProperty`.
 */
export function needsDefinedProperty(name: string): boolean {
  return name === "constructor" || name === "__proto__";
}

/** A string literal in TypeScript source (JSON escaping is valid JS). */
export function literal(value: string): string {
  return JSON.stringify(value);
}

/**
 * A doc comment as descriptors carry it (and OpenAPI shows it): the `///` lines without the
 * space after the slashes and without trailing blanks; undefined when it says nothing.
 */
export function docText(doc: string | undefined): string | undefined {
  if (doc === undefined) return undefined;
  const lines = doc.split("\n").map((line) => line.replace(/^ /, "").trimEnd());
  const text = lines.join("\n").trim();
  return text === "" ? undefined : text;
}
