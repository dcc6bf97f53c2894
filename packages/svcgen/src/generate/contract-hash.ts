/**
 * The contract hash of a service or callback: SHA-256 (hex) of a canonical text of its
 * signature. The text covers everything that changes what travels on the wire (names,
 * types, optionality, flags, errors and the structure of every type reached from the
 * methods) and nothing that does not (docs, deprecation, formatting, file layout), so two
 * peers with equal hashes agree on the contract. The format is in docs/generated-code.md.
 */
import { createHash } from "node:crypto";
import type {
  CallbackDecl,
  Declaration,
  InterfaceDecl,
  Method,
  Model,
  TypeRef,
} from "../model/model.js";

/** SHA-256 hex of `contractText(decl, model)`. */
export function contractHash(decl: InterfaceDecl | CallbackDecl, model: Model): string {
  return createHash("sha256").update(contractText(decl, model), "utf8").digest("hex");
}

/**
 * The canonical text: a head line, one line per method in IDL order, then one line per
 * declaration reached from the methods (recursively), sorted by qualified name.
 */
export function contractText(decl: InterfaceDecl | CallbackDecl, model: Model): string {
  const head = `${decl.kind === "interface" ? "service" : "callback"} ${decl.qualifiedName}`;
  const reached = new Set<string>();
  const lines = [head, ...decl.methods.map((m) => methodText(m))];
  for (const method of decl.methods) collectMethod(method, model, reached);
  reached.delete(decl.qualifiedName);
  for (const name of [...reached].sort(compareCodePoints)) {
    lines.push(declarationText(lookup(model, name)));
  }
  return lines.join("\n") + "\n";
}

function methodText(method: Method): string {
  const flags =
    (method.oneway ? "oneway " : "") +
    (method.idempotent ? "idempotent " : "") +
    (method.resubscribe ? "resubscribe " : "") +
    (method.conflate !== undefined ? `conflate(${method.conflate}) ` : "");
  const params = method.params
    .map((p) => `${p.name}${p.optional ? "?" : ""}:${typeText(p.type)}`)
    .join(",");
  const returns = method.returns === undefined ? "" : `:${typeText(method.returns)}`;
  const throws = method.throws.length === 0 ? "" : ` throws ${method.throws.join(",")}`;
  return `${flags}${method.name}(${params})${returns}${throws}`;
}

function typeText(type: TypeRef): string {
  switch (type.kind) {
    case "primitive":
      return type.name;
    case "list":
      return `${typeText(type.element)}[]`;
    case "map":
      return `map<string,${typeText(type.value)}>`;
    case "named":
      return type.target;
  }
}

function declarationText(decl: Declaration): string {
  const q = decl.qualifiedName;
  switch (decl.kind) {
    case "enum":
      return `enum ${q}{${decl.members.map((m) => m.name).join(",")}}`;
    case "record":
      return `record ${q}{${fieldsText(decl.fields)}}`;
    case "error":
      return `error ${q}@${decl.status}{${fieldsText(decl.fields)}}`;
    case "union":
      return `union ${q}{${decl.cases.map((c) => `${c.name}:${typeText(c.type)}`).join(";")}}`;
    case "callback":
    case "interface":
      return `${decl.kind} ${q}{${decl.methods.map(methodText).join(";")}}`;
  }
}

function fieldsText(fields: readonly { name: string; optional: boolean; type: TypeRef }[]): string {
  return fields.map((f) => `${f.name}${f.optional ? "?" : ""}:${typeText(f.type)}`).join(";");
}

function collectMethod(method: Method, model: Model, reached: Set<string>): void {
  for (const param of method.params) collectType(param.type, model, reached);
  if (method.returns !== undefined) collectType(method.returns, model, reached);
  for (const error of method.throws) collectDeclaration(error, model, reached);
}

function collectType(type: TypeRef, model: Model, reached: Set<string>): void {
  if (type.kind === "list") collectType(type.element, model, reached);
  else if (type.kind === "map") collectType(type.value, model, reached);
  else if (type.kind === "named") collectDeclaration(type.target, model, reached);
}

function collectDeclaration(name: string, model: Model, reached: Set<string>): void {
  if (reached.has(name)) return; // recursive types end here
  reached.add(name);
  const decl = lookup(model, name);
  switch (decl.kind) {
    case "record":
    case "error":
      for (const field of decl.fields) collectType(field.type, model, reached);
      break;
    case "union":
      for (const c of decl.cases) collectType(c.type, model, reached);
      break;
    case "callback":
    case "interface":
      for (const method of decl.methods) collectMethod(method, model, reached);
      break;
    case "enum":
      break;
  }
}

function lookup(model: Model, name: string): Declaration {
  const decl = model.declarations.get(name);
  if (decl === undefined) throw new Error(`contract hash: unknown declaration ${name}`);
  return decl;
}

function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
