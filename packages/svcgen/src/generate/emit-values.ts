/** Value types: enums, records and unions, each a TypeScript type plus its `XSchema`. */
import type { EnumDecl, Field, RecordDecl, UnionDecl } from "../model/model.js";
import type { ModuleContext } from "./module-context.js";
import { literal } from "./names.js";
import { PRINT_WIDTH } from "./printer.js";

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
        p.line(`${ctx.objectKey(member.name)}: ${literal(member.name)},`);
      }
    },
    "} as const;",
  );
  // As prettier prints the call: on one line; else with the member list hugged (broken
  // after `[`); else every argument on a line of its own.
  const head = `export const ${decl.name}Schema = ${t}.enum<${decl.name}>(`;
  const name = literal(decl.qualifiedName);
  const members = decl.members.map((m) => literal(m.name));
  const docs = ctx.typeDocs(decl.doc, decl.members);
  if (docs !== undefined) {
    // Laid out by prettier: a third argument changes how the call breaks.
    p.irregular();
    p.line(`${head}${name}, [${members.join(", ")}], ${docs});`);
    return;
  }
  const flat = `${head}${name}, [${members.join(", ")}]);`;
  if (members.length === 0) p.irregular();
  if (flat.length <= PRINT_WIDTH) {
    p.line(flat);
  } else if (`${head}${name}, [`.length <= PRINT_WIDTH) {
    p.block(`${head}${name}, [`, () => members.forEach((m) => p.line(`${m},`)), "]);");
  } else {
    p.block(
      head,
      () => {
        p.line(`${name},`);
        p.line(`[${members.join(", ")}],`);
      },
      ");",
    );
  }
}

export function emitRecord(ctx: ModuleContext, decl: RecordDecl): void {
  const p = ctx.printer;
  p.jsdoc(decl.doc, decl.deprecated);
  p.block(`export interface ${decl.name} {`, () => emitFieldMembers(ctx, decl.fields));
  // The annotation lets records refer to themselves (directly or through others).
  const schemaType = `${ctx.runtime("TypedRecordSchema", true)}<${decl.name}>`;
  const call = `${ctx.runtime("t")}.record<${decl.name}>`;
  emitSchemaCall(
    ctx,
    `export const ${decl.name}Schema: ${schemaType} = ${call}`,
    decl,
    () => emitFieldSchemas(ctx, decl.fields),
    ctx.typeDocs(decl.doc, decl.fields),
  );
}

/**
 * `head("qualified.Name", () => ({ entries }));` as prettier prints it: the arrow function
 * hugged on the first line when that fits, else every argument on a line of its own.
 */
function emitSchemaCall(
  ctx: ModuleContext,
  head: string,
  decl: RecordDecl | UnionDecl,
  entries: () => void,
  docs: string | undefined,
): void {
  const p = ctx.printer;
  const hugged = `${head}(${literal(decl.qualifiedName)}, () => ({`;
  if (docs !== undefined) {
    // The docs argument after the arrow function: prettier decides how the call breaks.
    p.irregular();
    p.block(hugged, entries, `}), ${docs});`);
    return;
  }
  if (hugged.length <= PRINT_WIDTH) {
    p.block(hugged, entries, "}));");
    return;
  }
  p.block(
    `${head}(`,
    () => {
      p.line(`${literal(decl.qualifiedName)},`);
      p.block("() => ({", entries, "}),");
    },
    ");",
  );
}

/** Interface members for fields: `name: T;` or `name?: T;`, with their docs. */
export function emitFieldMembers(ctx: ModuleContext, fields: readonly Field[]): void {
  for (const field of fields) {
    ctx.printer.jsdoc(field.doc, field.deprecated);
    ctx.printer.line(
      `${ctx.typeKey(field.name)}${field.optional ? "?" : ""}: ${ctx.tsType(field.type)};`,
    );
  }
}

/** Object-literal entries for fields: `name: schema,`, optional ones wrapped in `t.optional`. */
export function emitFieldSchemas(ctx: ModuleContext, fields: readonly Field[]): void {
  for (const field of fields) {
    const schema = ctx.schema(field.type);
    const value = field.optional ? `${ctx.runtime("t")}.optional(${schema})` : schema;
    ctx.printer.line(`${ctx.objectKey(field.name)}: ${value},`);
  }
}

export function emitUnion(ctx: ModuleContext, decl: UnionDecl): void {
  const p = ctx.printer;
  p.jsdoc(decl.doc, decl.deprecated);
  const cases = decl.cases.map((c) => `{ case: ${literal(c.name)}; value: ${ctx.tsType(c.type)} }`);
  const flat = `export type ${decl.name} = ${cases.join(" | ")};`;
  const documented = decl.cases.some((c) => c.doc !== undefined || c.deprecated !== undefined);
  // Prettier keeps a union on one line when it fits; documented cases are left to it.
  if (documented || cases.length === 0) p.irregular();
  if (!documented && flat.length <= PRINT_WIDTH) {
    p.line(flat);
  } else {
    p.line(`export type ${decl.name} =`);
    decl.cases.forEach((c, i) => {
      p.jsdoc(c.doc, c.deprecated);
      p.line(`  | ${cases[i]}${i === cases.length - 1 ? ";" : ""}`);
    });
  }
  const schemaType = `${ctx.runtime("TypedUnionSchema", true)}<${decl.name}>`;
  const call = `${ctx.runtime("t")}.union<${decl.name}>`;
  emitSchemaCall(
    ctx,
    `export const ${decl.name}Schema: ${schemaType} = ${call}`,
    decl,
    () => {
      for (const c of decl.cases) p.line(`${ctx.objectKey(c.name)}: ${ctx.schema(c.type)},`);
    },
    ctx.typeDocs(decl.doc, decl.cases),
  );
}
