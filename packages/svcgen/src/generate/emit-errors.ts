/**
 * Declared errors: a class extending the runtime's `RpcError`, with the error's fields as
 * readonly members and its descriptor as a static member.
 */
import type { ErrorDecl, Field } from "../model/model.js";
import type { ModuleContext } from "./module-context.js";
import { literal, needsDefinedProperty } from "./names.js";
import { emitFieldSchemas } from "./emit-values.js";

/**
 * Members every RpcError already has. A field with one of these names gets no member of
 * its own (it would change what the error is); it is read from `fields`, like every field.
 */
const RPC_ERROR_MEMBERS = new Set([
  "cause",
  "code",
  "data",
  "descriptor",
  "fields",
  "message",
  "name",
  "stack",
]);

export function emitError(ctx: ModuleContext, decl: ErrorDecl): void {
  const p = ctx.printer;
  const fieldsType = fieldsTypeLiteral(ctx, decl.fields);
  p.jsdoc(decl.doc, decl.deprecated);
  p.block(`export class ${decl.name} extends ${ctx.runtime("RpcError")} {`, () => {
    p.block(
      `static readonly descriptor = ${ctx.runtime("defineError")}<${decl.name}, ${fieldsType}>({`,
      () => {
        p.line(`name: ${literal(decl.qualifiedName)},`);
        p.line(`status: ${decl.status},`);
        p.block("fields: () => ({", () => emitFieldSchemas(ctx, decl.fields), "}),");
        p.line(`create: (fields, message) => new ${decl.name}(fields, message),`);
        const docs = ctx.typeDocs(decl.doc, decl.fields);
        if (docs !== undefined) p.line(`docs: ${docs},`);
      },
      "});",
    );
    p.jsdoc("The error's fields as declared (what travels on the wire).");
    p.line(`declare readonly fields: ${fieldsType};`);
    for (const field of memberFields(decl.fields)) emitFieldMember(ctx, field);
    // An error without fields can be made without arguments: `new NotJoined()`.
    const fieldsParam = decl.fields.length === 0 ? "fields: {} = {}" : `fields: ${fieldsType}`;
    p.block(`constructor(${fieldsParam}, message?: string) {`, () => {
      p.line(`super(${decl.name}.descriptor, fields, message);`);
      for (const field of memberFields(decl.fields)) emitFieldAssignment(ctx, field);
    });
  });
}

/** The fields that also get a member of their own. */
function memberFields(fields: readonly Field[]): Field[] {
  return fields.filter((field) => !RPC_ERROR_MEMBERS.has(field.name));
}

function fieldsTypeLiteral(ctx: ModuleContext, fields: readonly Field[]): string {
  if (fields.length === 0) return "{}";
  const members = fields.map(
    (f) => `${ctx.typeKey(f.name)}${f.optional ? "?" : ""}: ${ctx.tsType(f.type)}`,
  );
  return `{ ${members.join("; ")} }`;
}

function memberType(ctx: ModuleContext, field: Field): string {
  const type = ctx.tsType(field.type);
  return field.optional ? `${type} | undefined` : type;
}

function emitFieldMember(ctx: ModuleContext, field: Field): void {
  ctx.printer.jsdoc(field.doc, field.deprecated);
  if (needsDefinedProperty(field.name)) {
    ctx.printer.irregular();
    // Declared only: the constructor defines it as an own property.
    ctx.printer.line(`declare readonly [${literal(field.name)}]: ${memberType(ctx, field)};`);
  } else {
    ctx.printer.line(`readonly ${field.name}: ${memberType(ctx, field)};`);
  }
}

function emitFieldAssignment(ctx: ModuleContext, field: Field): void {
  if (needsDefinedProperty(field.name)) {
    ctx.printer.irregular();
    // An own property, read and written without touching Object.prototype's accessors.
    const object = ctx.global("Object");
    const key = literal(field.name);
    ctx.printer.line(
      `${object}.defineProperty(this, ${key}, { value: ${object}.getOwnPropertyDescriptor(fields, ${key})?.value, enumerable: true, writable: true, configurable: true });`,
    );
  } else {
    ctx.printer.line(`this.${field.name} = fields.${field.name};`);
  }
}
