/** The naming conventions of the lint rules, and the name each would suggest instead. */

const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const CAMEL_CASE = /^[a-z][A-Za-z0-9]*$/;
const PACKAGE_SEGMENT = /^[a-z][a-z0-9_]*$/;

/**
 * `OrderLine`, `Io`, `IO`, `A`; not `ORDER_LINE`, nor `PENDING`: a name of three or more
 * capitals and no lower-case letter is upper case, not PascalCase.
 */
export const isPascalCase = (name: string): boolean =>
  PASCAL_CASE.test(name) && !(/^[A-Z0-9]{3,}$/.test(name) && /[A-Z].*[A-Z].*[A-Z]/.test(name));
export const isCamelCase = (name: string): boolean => CAMEL_CASE.test(name);
export const isPackageName = (name: string): boolean =>
  name.split(".").every((segment) => PACKAGE_SEGMENT.test(segment));

/**
 * The words of a name written in any style: `job_state`, `JOB_STATE`, `jobState` and
 * `JobState` all give `job`, `state`; `HTTPServer` gives `http`, `server`.
 */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== "")
    .map((word) => word.toLowerCase());
}

const capitalized = (word: string) => word[0]!.toUpperCase() + word.slice(1);

/** `name` in PascalCase, or undefined when it has no letters or digits to make one of. */
export function toPascalCase(name: string): string | undefined {
  const parts = words(name);
  const result = parts.map(capitalized).join("");
  return isPascalCase(result) ? result : undefined;
}

/** `name` in camelCase, or undefined when it has no letters or digits to make one of. */
export function toCamelCase(name: string): string | undefined {
  const parts = words(name);
  if (parts.length === 0) return undefined;
  const result = parts[0]! + parts.slice(1).map(capitalized).join("");
  return isCamelCase(result) ? result : undefined;
}

/** `name` as a package name: lower-case segments (`Shop.OrderItems` → `shop.order_items`). */
export function toPackageName(name: string): string | undefined {
  const segments = name.split(".").map((segment) => words(segment).join("_"));
  const result = segments.join(".");
  return isPackageName(result) ? result : undefined;
}

/** The verbs that make a method a read: `get`, `getOrder`, `list_all` but not `listen`. */
const READ_VERBS = [
  "get",
  "list",
  "find",
  "search",
  "lookup",
  "fetch",
  "read",
  "count",
  "query",
  "describe",
];
const READ_NAME = new RegExp(`^(?:${READ_VERBS.join("|")})(?:$|[A-Z0-9_])`);

export const isReadName = (name: string): boolean => READ_NAME.test(name);
export const readVerbs: readonly string[] = READ_VERBS;
