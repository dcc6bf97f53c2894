/** Value types: enums, records and unions, each a TypeScript type plus its `XSchema`. */
import type { EnumDecl, Field, RecordDecl, UnionDecl } from "../model/model.js";
import type { ModuleContext } from "./module-context.js";
import { literal, objectKey, typeKey } from "./names.js";

export function emitEnum(ctx: ModuleContext, decl: EnumDecl): void {
  const p = ctx.printer;
  const t = ctx.runtime("t");
  p.jsdoc(decl.doc, decl.deprecated);
  p.line(`export type ${decl.name} = ${decl.members.map((m) => literal(m.name)).join(" | ")};`);
  p.jsdoc(decl.doc, decl.deprecated);
  p.block(
    `export const ${decl.name} = {`,
    () => {
      for (const member of decl.members) {
        p.jsdoc(member.doc, member.deprecated);
        p.line(`${objectKey(member.name)}: ${literal(member.name)},`);
      }
    },
    "} as const;",
  );
  const members = decl.members.map((m) => literal(m.name)).join(", ");
  p.line(
    `export const ${decl.name}Schema = ${t}.enum<${decl.name}>(${literal(decl.qualifiedName)}, [${members}]);`,
  );
}

export function emitRecord(ctx: ModuleContext, decl: RecordDecl): void {
  const p = ctx.printer;
  p.jsdoc(decl.doc, decl.deprecated);
  p.block(`export interface ${decl.name} {`, () => emitFieldMembers(ctx, decl.fields));
  // The annotation lets records refer to themselves (directly or through others).
  const schemaType = `${ctx.runtime("TypedRecordSchema", true)}<${decl.name}>`;
  p.line(
    `export const ${decl.name}Schema: ${schemaType} = ${ctx.runtime("t")}.record<${decl.name}>(${literal(decl.qualifiedName)}, () => ({`,
  );
  emitFieldSchemas(ctx, decl.fields);
  p.line("}));");
}

/** Interface members for fields: `name: T;` or `name?: T;`, with their docs. */
export function emitFieldMembers(ctx: ModuleContext, fields: readonly Field[]): void {
  for (const field of fields) {
    ctx.printer.jsdoc(field.doc, field.deprecated);
    ctx.printer.line(
      `${typeKey(field.name)}${field.optional ? "?" : ""}: ${ctx.tsType(field.type)};`,
    );
  }
}

/** Object-literal entries for fields: `name: schema,`, optional ones wrapped in `t.optional`. */
export function emitFieldSchemas(ctx: ModuleContext, fields: readonly Field[]): void {
  for (const field of fields) {
    const schema = ctx.schema(field.type);
    const value = field.optional ? `${ctx.runtime("t")}.optional(${schema})` : schema;
    ctx.printer.line(`  ${objectKey(field.name)}: ${value},`);
  }
}

export function emitUnion(ctx: ModuleContext, decl: UnionDecl): void {
  const p = ctx.printer;
  p.jsdoc(decl.doc, decl.deprecated);
  p.line(`export type ${decl.name} =`);
  for (const c of decl.cases) {
    p.jsdoc(c.doc, c.deprecated);
    p.line(`  | { case: ${literal(c.name)}; value: ${ctx.tsType(c.type)} }`);
  }
  p.line(";");
  const schemaType = `${ctx.runtime("TypedUnionSchema", true)}<${decl.name}>`;
  p.line(
    `export const ${decl.name}Schema: ${schemaType} = ${ctx.runtime("t")}.union<${decl.name}>(${literal(decl.qualifiedName)}, () => ({`,
  );
  for (const c of decl.cases) p.line(`  ${objectKey(c.name)}: ${ctx.schema(c.type)},`);
  p.line("}));");
}
