/**
 * Callbacks and services: the TypeScript interfaces, the descriptors the runtime reads,
 * and for services the client class and the abstract server base.
 */
import type { CallbackDecl, InterfaceDecl, Method, Param } from "../model/model.js";
import { contractHash } from "./contract-hash.js";
import type { ModuleContext } from "./module-context.js";
import { literal, safeBinding } from "./names.js";

/** Local parameter names of a method, plus the name of the trailing extra parameter. */
interface Bindings {
  readonly params: readonly string[];
  readonly extra: string;
}

/**
 * Legal, distinct local names for the parameters of `method`, none equal to a name in
 * `taken` (module-level values the method body refers to), and one for `extraName`
 * (`options` or `ctx`) that no parameter uses.
 */
function bindings(method: Method, extraName: string, taken: readonly string[] = []): Bindings {
  const used = new Set(taken);
  const params: string[] = [];
  method.params.forEach((param, i) => {
    const later = method.params.slice(i + 1).map((p) => p.name);
    // Usually the name is kept as it is; only else is a set of every other name needed.
    const kept = !later.includes(param.name) && safeBinding(param.name, used) === param.name;
    const name = kept ? param.name : safeBinding(param.name, new Set([...used, ...later]));
    used.add(name);
    params.push(name);
  });
  return { params, extra: safeBinding(extraName, used) };
}

/** The method's doc, then `@param` lines for documented parameters (by their local names). */
function methodDoc(method: Method, locals: readonly string[]): string | undefined {
  const lines = method.doc === undefined ? [] : [method.doc];
  method.params.forEach((param, i) => {
    if (param.doc === undefined) return;
    const [first = "", ...rest] = param.doc.split("\n").map((line) => line.replace(/^ /, ""));
    lines.push([`@param ${locals[i]} ${first}`.trimEnd(), ...rest].join("\n"));
  });
  return lines.length === 0 ? undefined : lines.join("\n");
}

function isCallbackParam(param: Param): boolean {
  return param.type.kind === "named" && param.type.targetKind === "callback";
}

function returnType(ctx: ModuleContext, method: Method): string {
  return method.returns === undefined ? "void" : ctx.tsType(method.returns);
}

export function emitCallback(ctx: ModuleContext, decl: CallbackDecl): void {
  const p = ctx.printer;
  p.jsdoc(decl.doc, decl.deprecated);
  p.block(`export interface ${decl.name} {`, () => {
    for (const method of decl.methods) {
      const names = bindings(method, "");
      const list = method.params.map(
        (param, i) => `${names.params[i]}${param.optional ? "?" : ""}: ${ctx.tsType(param.type)}`,
      );
      const result = returnType(ctx, method);
      p.jsdoc(methodDoc(method, names.params), method.deprecated);
      p.signature(method.name, list, `: ${result} | ${ctx.global("Promise")}<${result}>;`);
    }
  });
  ctx.printer.line();
  emitDescriptor(ctx, decl, `${ctx.runtime("defineCallback")}<${decl.name}>`);
}

export function emitService(ctx: ModuleContext, decl: InterfaceDecl): void {
  emitServiceInterface(ctx, decl);
  ctx.printer.line();
  emitDescriptor(ctx, decl, `${ctx.runtime("defineService")}<${decl.name}>`);
  ctx.printer.line();
  emitClient(ctx, decl);
  ctx.printer.line();
  emitBase(ctx, decl);
}

function emitServiceInterface(ctx: ModuleContext, decl: InterfaceDecl): void {
  const p = ctx.printer;
  p.jsdoc(decl.doc, decl.deprecated);
  p.block(`export interface ${decl.name} {`, () => {
    for (const method of decl.methods) {
      const names = bindings(method, "options");
      p.jsdoc(methodDoc(method, names.params), method.deprecated);
      const signature = clientSignature(ctx, method, names);
      p.signature(method.name, signature.params, `${signature.tail};`);
    }
  });
}

/** `a: T, b?: U, options?: CallOptions` and `: Promise<R>`: the client-side signature. */
function clientSignature(
  ctx: ModuleContext,
  method: Method,
  names: Bindings,
): { params: string[]; tail: string } {
  const params = method.params.map(
    (param, i) => `${names.params[i]}${param.optional ? "?" : ""}: ${ctx.tsType(param.type)}`,
  );
  params.push(`${names.extra}?: ${ctx.runtime("CallOptions", true)}`);
  return { params, tail: `: ${ctx.global("Promise")}<${returnType(ctx, method)}>` };
}

function emitDescriptor(
  ctx: ModuleContext,
  decl: InterfaceDecl | CallbackDecl,
  define: string,
): void {
  const p = ctx.printer;
  p.jsdoc(`Wire description of \`${decl.qualifiedName}\`, read by the runtime.`);
  p.block(
    `export const ${decl.name}Descriptor = ${define}({`,
    () => {
      p.line(`name: ${literal(decl.qualifiedName)},`);
      p.line(`contractHash: ${literal(contractHash(decl, ctx.model))},`);
      const doc = ctx.docLiteral(decl.doc);
      if (doc !== undefined) p.line(`doc: ${doc},`);
      p.block(
        "methods: [",
        () => {
          for (const method of decl.methods) emitMethodSpec(ctx, method);
        },
        "],",
      );
    },
    "});",
  );
}

function emitMethodSpec(ctx: ModuleContext, method: Method): void {
  const p = ctx.printer;
  p.block(
    "{",
    () => {
      p.line(`name: ${literal(method.name)},`);
      const doc = ctx.docLiteral(method.doc);
      if (doc !== undefined) p.line(`doc: ${doc},`);
      if (method.oneway) p.line("oneway: true,");
      if (method.idempotent) p.line("idempotent: true,");
      if (method.resubscribe) p.line("resubscribe: true,");
      if (method.conflate !== undefined) p.line(`conflate: ${literal(method.conflate)},`);
      if (method.rateLimit !== undefined) p.line(`rateLimit: ${literal(method.rateLimit)},`);
      if (method.deprecated !== undefined) {
        p.line(`deprecated: ${method.deprecated === true ? "true" : literal(method.deprecated)},`);
      }
      const params = method.params.map((param) => {
        const optional = param.optional ? " optional: true," : "";
        const type = param.type;
        const value =
          type.kind === "named" && type.targetKind === "callback"
            ? `callback: ${ctx.ref(type.target, "Descriptor")}`
            : `schema: ${ctx.schema(type)}`;
        const doc = ctx.docLiteral(param.doc);
        return `{ name: ${literal(param.name)},${optional} ${value}${doc === undefined ? "" : `, doc: ${doc}`} }`;
      });
      // Prettier puts an array of one object on one line when it fits, and an array of
      // several objects (each with several keys) one object per line.
      if (params.length === 1) p.line(`params: [${params[0]}],`);
      else p.block("params: [", () => params.forEach((param) => p.line(`${param},`)), "],");
      if (method.returns !== undefined) p.line(`returns: ${ctx.schema(method.returns)},`);
      if (method.throws.length > 0) {
        const errors = method.throws.map((name) => `${ctx.ref(name)}.descriptor`);
        p.line(`throws: [${errors.join(", ")}],`);
      }
    },
    "},",
  );
}

function emitClient(ctx: ModuleContext, decl: InterfaceDecl): void {
  const p = ctx.printer;
  const connection = ctx.runtime("Connection", true);
  const descriptor = `${decl.name}Descriptor`;
  p.jsdoc(
    `Calls \`${decl.qualifiedName}\` over a connection (\`connectHttp\` or \`connectWebSocket\`).`,
  );
  p.block(`export class ${decl.name}Client implements ${decl.name} {`, () => {
    p.line(`readonly #connection: ${connection};`);
    p.block(`constructor(connection: ${connection}) {`, () => {
      p.line("this.#connection = connection;");
    });
    for (const method of decl.methods) {
      const names = bindings(method, "options", [descriptor]);
      p.jsdoc(methodDoc(method, names.params), method.deprecated);
      const key = ctx.classMethodKey(method.name);
      const signature = clientSignature(ctx, method, names);
      p.signatureBlock(key, signature.params, `${signature.tail} {`, () => {
        const args = `[${names.params.join(", ")}]`;
        p.line(
          `return this.#connection.call(${descriptor}, ${literal(method.name)}, ${args}, ${names.extra});`,
        );
      });
    }
  });
}

function emitBase(ctx: ModuleContext, decl: InterfaceDecl): void {
  const p = ctx.printer;
  p.jsdoc(
    `Server skeleton of \`${decl.qualifiedName}\`: extend it, implement every method,\n` +
      "and register it with an `RpcServer`.",
  );
  p.block(`export abstract class ${decl.name}Base {`, () => {
    p.line(`static readonly descriptor = ${decl.name}Descriptor;`);
    for (const method of decl.methods) {
      const names = bindings(method, "ctx");
      const list = method.params.map((param, i) => {
        const base = isCallbackParam(param)
          ? `${ctx.runtime("CallbackProxy", true)}<${ctx.tsType(param.type)}>`
          : ctx.tsType(param.type);
        return `${names.params[i]}: ${param.optional ? `${base} | undefined` : base}`;
      });
      list.push(`${names.extra}: ${ctx.runtime("CallContext", true)}`);
      const result = returnType(ctx, method);
      p.jsdoc(methodDoc(method, names.params), method.deprecated);
      const tail = `: ${result} | ${ctx.global("Promise")}<${result}>;`;
      p.signature(`abstract ${ctx.classMethodKey(method.name)}`, list, tail);
    }
  });
}
