/**
 * What every emitter needs while writing one generated module: the printer, and how to
 * spell a type, a schema or a declaration from this module (local, imported from a
 * sibling module, or from the runtime).
 */
import path from "node:path";
import type { Declaration, Model, PrimitiveName, SourceFile, TypeRef } from "../model/model.js";
import { classMethodKey, docText, literal, objectKey, typeKey } from "./names.js";
import type { CodePrinter } from "./printer.js";

export const RUNTIME_MODULE = "@svcgen/runtime";

/** Globals generated code refers to; see `ModuleContext.global`. */
export const USED_GLOBALS: ReadonlySet<string> = new Set([
  "Date",
  "Object",
  "Promise",
  "Record",
  "Uint8Array",
]);

/** `x/y.svc` below `root` → `x/y.ts`, with `/` separators. */
export function outputPath(root: string, file: SourceFile): string {
  const relative = path.relative(root, file.path).split(path.sep).join("/");
  return relative.replace(/\.svc$/, "") + ".ts";
}

export class ModuleContext {
  constructor(
    readonly printer: CodePrinter,
    readonly model: Model,
    readonly file: SourceFile,
    /** This module's path relative to the output folder (`features/everything.ts`). */
    readonly modulePath: string,
    /** Declaration qualified name → output path of the module that declares it. */
    private readonly moduleOf: ReadonlyMap<string, string>,
  ) {}

  /**
   * A key spelled by one of the `names.js` escapes: an escaped key is left for prettier
   * to format, since prettier may respell it (it unquotes `"__proto__"` in an interface).
   */
  private key(name: string, escape: (name: string) => string): string {
    const key = escape(name);
    if (key !== name) this.printer.irregular();
    return key;
  }

  /**
   * A doc comment as a string literal (see `docText`), or undefined when there is none.
   * Prettier may respell a literal with quotes or escapes in it, so that one is left to it.
   */
  docLiteral(doc: string | undefined): string | undefined {
    const text = docText(doc);
    if (text === undefined) return undefined;
    const written = literal(text);
    if (written.includes("\\")) this.printer.irregular();
    return written;
  }

  /**
   * The docs argument of `t.enum`, `t.record`, `t.union` (and `docs` of `defineError`):
   * `{ doc: "…", members: { name: "…" } }`, or undefined when nothing is documented.
   */
  typeDocs(
    doc: string | undefined,
    members: readonly { name: string; doc?: string }[],
  ): string | undefined {
    const own = this.docLiteral(doc);
    const entries = members.flatMap((member) => {
      const text = this.docLiteral(member.doc);
      return text === undefined ? [] : [`${this.objectKey(member.name)}: ${text}`];
    });
    const parts = [
      ...(own === undefined ? [] : [`doc: ${own}`]),
      ...(entries.length === 0 ? [] : [`members: { ${entries.join(", ")} }`]),
    ];
    return parts.length === 0 ? undefined : `{ ${parts.join(", ")} }`;
  }

  /** Key of an entry in an object literal (see `objectKey`). */
  objectKey(name: string): string {
    return this.key(name, objectKey);
  }

  /** Key of a member of an interface or type literal (see `typeKey`). */
  typeKey(name: string): string {
    return this.key(name, typeKey);
  }

  /** Name of a method in a class body (see `classMethodKey`). */
  classMethodKey(name: string): string {
    return this.key(name, classMethodKey);
  }

  /** A runtime export, imported on first use. */
  runtime(name: string, typeOnly = false): string {
    return this.printer.import(RUNTIME_MODULE, name, { typeOnly });
  }

  /** A global the module uses; reached through `globalThis` when a declaration hides it. */
  global(name: string): string {
    return this.printer.isTaken(name) ? `globalThis.${name}` : name;
  }

  declaration(qualifiedName: string): Declaration {
    const decl = this.model.declarations.get(qualifiedName);
    if (decl === undefined) throw new Error(`unknown declaration ${qualifiedName}`);
    return decl;
  }

  /**
   * The local name of the generated symbol `<name><suffix>` of a declaration: as declared
   * when it is in this module, else imported from the sibling module that declares it.
   */
  ref(qualifiedName: string, suffix = "", typeOnly = false): string {
    const decl = this.declaration(qualifiedName);
    const symbol = decl.name + suffix;
    const target = this.moduleOf.get(qualifiedName);
    if (target === undefined || target === this.modulePath) return symbol;
    const hint = decl.package === "" ? undefined : `${decl.package.replace(/\./g, "_")}_${symbol}`;
    return this.printer.import(this.specifierOf(target), symbol, {
      typeOnly,
      ...(hint === undefined ? {} : { aliasHint: hint }),
    });
  }

  /** Import specifiers by target module: a module imports from the same few many times. */
  private readonly specifiers = new Map<string, string>();

  private specifierOf(target: string): string {
    let specifier = this.specifiers.get(target);
    if (specifier === undefined) {
      const from = path.posix.dirname(this.modulePath);
      const relative = path.posix.relative(from, target).replace(/\.ts$/, ".js");
      specifier = relative.startsWith(".") ? relative : `./${relative}`;
      this.specifiers.set(target, specifier);
    }
    return specifier;
  }

  /** The TypeScript type of an IDL type (a callback type is its interface). */
  tsType(type: TypeRef): string {
    switch (type.kind) {
      case "primitive":
        return this.primitiveType(type.name);
      case "list":
        return `${this.tsType(type.element)}[]`;
      case "map":
        return this.printer.isTaken("Record")
          ? `{ [key: string]: ${this.tsType(type.value)} }`
          : `Record<string, ${this.tsType(type.value)}>`;
      case "named":
        return this.ref(type.target, "", true);
    }
  }

  private primitiveType(name: PrimitiveName): string {
    switch (name) {
      case "bool":
        return "boolean";
      case "int32":
      case "float64":
        return "number";
      case "int64":
        return "bigint";
      case "string":
        return "string";
      case "bytes":
        return this.global("Uint8Array");
      case "timestamp":
        return this.global("Date");
      case "json":
        return this.runtime("JsonValue", true);
    }
  }

  /** The schema expression of a value type. */
  schema(type: TypeRef): string {
    switch (type.kind) {
      case "primitive":
        return `${this.runtime("t")}.${type.name}`;
      case "list":
        return `${this.runtime("t")}.list(${this.schema(type.element)})`;
      case "map":
        return `${this.runtime("t")}.map(${this.schema(type.value)})`;
      case "named":
        if (type.targetKind === "callback") {
          throw new Error(`a callback type (${type.target}) has no schema`);
        }
        return this.ref(type.target, "Schema");
    }
  }
}
