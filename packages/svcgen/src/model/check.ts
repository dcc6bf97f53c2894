/**
 * Resolver and checker: syntax trees of every file of a program → the resolved `Model`,
 * enforcing the semantic rules of IDL.md. Problems are collected per file; the model is
 * built regardless (callers only hand it out when there are no errors).
 */
import type { Problem } from "../diagnostics/diagnostic.js";
import { Code } from "../diagnostics/diagnostic.js";
import type {
  DeclarationNode,
  Element,
  FileNode,
  MethodNode,
  Span,
  TypeNode,
} from "../syntax/ast.js";
import { DEFAULT_ERROR_STATUS, readAnnotations } from "./annotations.js";
import type { AnnotationMeaning, AnnotationTarget } from "./annotations.js";
import type {
  Declaration,
  Deprecation,
  Method,
  Model,
  Param,
  PrimitiveName,
  SourceFile,
  SourceSpan,
  TypeRef,
} from "./model.js";
import { nearestName } from "./nearest.js";

/** One parsed file of the program, with its imports resolved to absolute paths. */
export interface CheckInput {
  readonly path: string;
  readonly displayPath: string;
  readonly ast: FileNode;
  /** Per `ast.imports` entry: the absolute path, or undefined when the file is missing. */
  readonly importPaths: readonly (string | undefined)[];
}

export interface CheckOptions {
  /**
   * Absolute paths of the files whose contents to check; every input when absent. The
   * program-wide rules (duplicate declarations, import cycles) always cover every input, so
   * a caller that keeps earlier results (the language server) re-checks only what an edit
   * reaches.
   */
  readonly only?: ReadonlySet<string>;
  /**
   * Whether to list each file's resolved references (`CheckResult.references`), which tools
   * that navigate the program read; true when absent. `svcgen check` and `generate` do not.
   */
  readonly references?: boolean;
}

/** A name in a type or `throws` that resolved to a declaration. */
export interface Reference {
  /** Span of the name as written, qualified or not. */
  readonly span: Span;
  /** The name as written, e.g. `common.Money`. */
  readonly name: string;
  /** Qualified name of the declaration it resolved to. */
  readonly target: string;
}

export interface CheckResult {
  /** The files checked (every input, or those in `only`) and their declarations. */
  readonly model: Model;
  /** Problems by absolute file path: for every input, complete for the files checked. */
  readonly problems: ReadonlyMap<string, Problem[]>;
  /** The part of `problems` that comes from the program-wide rules, for every input. */
  readonly programProblems: ReadonlyMap<string, Problem[]>;
  /**
   * Resolved references by absolute file path, for the files checked, in source order; empty
   * when `CheckOptions.references` is false.
   */
  readonly references: ReadonlyMap<string, Reference[]>;
}

interface DeclaredEntry {
  readonly node: DeclarationNode;
  readonly file: CheckInput;
  readonly qualifiedName: string;
}

/**
 * Every declaration of the program, by qualified name, and the first of each name by its
 * node: each name is qualified once, here, and found again from the node.
 */
interface Declared {
  readonly byName: ReadonlyMap<string, DeclaredEntry>;
  readonly byNode: ReadonlyMap<DeclarationNode, DeclaredEntry>;
}

/** What every model element carries besides its own fields. */
interface ElementInfo {
  readonly span: SourceSpan;
  readonly doc?: string;
  readonly deprecated?: Deprecation;
}

/** Where a type appears: decides whether callbacks and `void` are allowed there. */
type TypePosition =
  "field" | "union case" | "return" | "interface parameter" | "callback parameter";

const methodTargets = {
  interface: "interface method",
  callback: "callback method",
} as const satisfies Record<string, AnnotationTarget>;
const parameterPositions = {
  interface: "interface parameter",
  callback: "callback parameter",
} as const satisfies Record<string, TypePosition>;

export function checkProgram(
  inputs: readonly CheckInput[],
  options: CheckOptions = {},
): CheckResult {
  const programProblems = new Map<string, Problem[]>();
  for (const input of inputs) programProblems.set(input.path, []);
  const programProblemsOf = (input: CheckInput) => programProblems.get(input.path)!;

  const declared = declareAll(inputs, programProblemsOf);
  const byPath = new Map<string, CheckInput>();
  for (const input of inputs) byPath.set(input.path, input);
  reportImportCycles(inputs, byPath, programProblemsOf);

  const problems = new Map<string, Problem[]>();
  const references = new Map<string, Reference[]>();
  const files: SourceFile[] = [];
  for (const input of inputs) {
    const fileProblems = [...programProblemsOf(input)];
    problems.set(input.path, fileProblems);
    if (options.only && !options.only.has(input.path)) continue;
    const fileReferences = options.references === false ? undefined : [];
    const checker = new FileChecker(input, declared, byPath, fileProblems, fileReferences);
    files.push(checker.check());
    if (fileReferences) references.set(input.path, fileReferences);
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const declarations = new Map<string, Declaration>();
  for (const file of files) {
    for (const declaration of file.declarations) {
      if (!declarations.has(declaration.qualifiedName)) {
        declarations.set(declaration.qualifiedName, declaration);
      }
    }
  }
  return { model: { files, declarations }, problems, programProblems, references };
}

function qualify(packageName: string, name: string): string {
  return packageName === "" ? name : `${packageName}.${name}`;
}

function location(file: CheckInput, span: Span): string {
  return `${file.displayPath}:${span.line}:${span.column}`;
}

/** The program-wide table of declarations; a second declaration of a name is reported. */
function declareAll(
  inputs: readonly CheckInput[],
  problemsOf: (input: CheckInput) => Problem[],
): Declared {
  const declared = new Map<string, DeclaredEntry>();
  const byNode = new Map<DeclarationNode, DeclaredEntry>();
  for (const file of inputs) {
    for (const node of file.ast.declarations) {
      if (node.name === "") continue;
      const qualifiedName = qualify(file.ast.packageName, node.name);
      const first = declared.get(qualifiedName);
      if (first) {
        problemsOf(file).push({
          code: Code.Duplicate,
          message: `duplicate declaration "${node.name}" (first declared at ${location(first.file, first.node.span)})`,
          span: node.span,
        });
        continue;
      }
      const entry = { node, file, qualifiedName };
      declared.set(qualifiedName, entry);
      byNode.set(node, entry);
    }
  }
  return { byName: declared, byNode };
}

/**
 * Reports each import cycle once, at the `import` of the cycle's first file: the one reached
 * first from the command line (inputs are in command-line order, then imports as reached),
 * which is the file the user asked about. The message names the whole cycle from there.
 */
function reportImportCycles(
  inputs: readonly CheckInput[],
  byPath: ReadonlyMap<string, CheckInput>,
  problemsOf: (input: CheckInput) => Problem[],
): void {
  const state = new Map<string, "active" | "done">();
  const frames: { file: CheckInput; next: number }[] = [];
  const reported = new Set<string>();
  // Iterative depth-first search: import chains can be long.
  for (const root of inputs) {
    if (state.has(root.path)) continue;
    frames.push({ file: root, next: 0 });
    state.set(root.path, "active");
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const { file } = frame;
      if (frame.next >= file.importPaths.length) {
        state.set(file.path, "done");
        frames.pop();
        continue;
      }
      const index = frame.next++;
      const target = file.importPaths[index];
      const targetFile = target === undefined ? undefined : byPath.get(target);
      if (!targetFile) continue;
      const targetState = state.get(targetFile.path);
      if (targetState === "active") {
        const start = frames.findIndex((f) => f.file === targetFile);
        const cycle = frames.slice(start);
        const first = cycle[0]!;
        // The import of the first file that leads into the cycle (its current one).
        const importIndex = first.next - 1;
        const key = `${first.file.path}\0${importIndex}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const names = cycle.map((f) => f.file.displayPath);
        names.push(targetFile.displayPath);
        problemsOf(first.file).push({
          code: Code.ImportCycle,
          message: `import cycle: ${names.join(" → ")}`,
          span: first.file.ast.imports[importIndex]!.span,
        });
      } else if (targetState === undefined) {
        state.set(targetFile.path, "active");
        frames.push({ file: targetFile, next: 0 });
      }
    }
  }
}

class FileChecker {
  /** Declarations this file may refer to: its own and its direct imports', by qualified name. */
  private readonly visible = new Map<string, DeclaredEntry>();
  /** Names as written in this file that resolved, and what to: most are written many times. */
  private readonly resolved = new Map<string, DeclaredEntry>();
  private readonly packageName: string;
  private readonly declared: ReadonlyMap<string, DeclaredEntry>;
  private readonly byNode: ReadonlyMap<DeclarationNode, DeclaredEntry>;

  constructor(
    private readonly input: CheckInput,
    declared: Declared,
    byPath: ReadonlyMap<string, CheckInput>,
    private readonly problems: Problem[],
    /** Where to list resolved references, if anywhere. */
    private readonly references: Reference[] | undefined,
  ) {
    this.packageName = input.ast.packageName;
    this.declared = declared.byName;
    this.byNode = declared.byNode;
    const sources = [input];
    for (const path of input.importPaths) {
      const imported = path === undefined ? undefined : byPath.get(path);
      if (imported) sources.push(imported);
    }
    for (const source of sources) {
      for (const node of source.ast.declarations) {
        const entry = this.byNode.get(node);
        if (entry) this.visible.set(entry.qualifiedName, entry);
      }
    }
  }

  check(): SourceFile {
    const { ast } = this.input;
    const declarations: Declaration[] = [];
    for (const node of ast.declarations) {
      const declaration = this.declaration(node);
      if (declaration && this.byNode.has(node)) declarations.push(declaration);
    }
    return {
      path: this.input.path,
      displayPath: this.input.displayPath,
      package: ast.packageName,
      ...(ast.doc === undefined ? {} : { doc: ast.doc }),
      imports: this.input.importPaths.filter((path): path is string => path !== undefined),
      declarations,
    };
  }

  private report(code: Problem["code"], message: string, span: Span): void {
    this.problems.push({ code, message, span });
  }

  private sourceSpan(span: Span): SourceSpan {
    return {
      file: this.input.displayPath,
      line: span.line,
      column: span.column,
      endLine: span.endLine,
      endColumn: span.endColumn,
    };
  }

  /**
   * Completes a model element (made with its span last) with its doc and deprecation, the
   * few that have them. Properties are added to `fields` in place rather than spread, and the
   * span is in the literal: the model of a big program has ~1M elements, and each property
   * added after an object is made may allocate a second store for it.
   */
  private attach<T extends { span: SourceSpan }>(
    fields: T,
    element: Element,
    meaning: AnnotationMeaning,
  ): T & ElementInfo {
    const result = fields as T & { -readonly [K in keyof ElementInfo]: ElementInfo[K] };
    if (element.doc !== undefined) result.doc = element.doc;
    if (meaning.deprecated !== undefined) result.deprecated = meaning.deprecated;
    return result;
  }

  /** `attach` after checking the element's annotations for `target`. */
  private documented<T extends { span: SourceSpan }>(
    fields: T,
    element: Element,
    target: AnnotationTarget,
  ): T & ElementInfo {
    return this.attach(
      fields,
      element,
      readAnnotations(element.annotations, target, this.problems),
    );
  }

  /**
   * Reports the second and later of elements sharing a name. Short lists (nearly all of
   * them) are compared pairwise: no set, and the owner's description only made when needed.
   */
  private checkUnique(elements: readonly Element[], what: string, owner: () => string): void {
    const duplicate = (element: Element) =>
      this.report(
        Code.Duplicate,
        `duplicate ${what} "${element.name}" in ${owner()}`,
        element.span,
      );
    if (elements.length <= 16) {
      for (let i = 1; i < elements.length; i++) {
        const name = elements[i]!.name;
        if (name === "") continue;
        for (let j = 0; j < i; j++) {
          if (elements[j]!.name === name) {
            duplicate(elements[i]!);
            break;
          }
        }
      }
      return;
    }
    const seen = new Set<string>();
    for (const element of elements) {
      if (element.name === "") continue;
      if (seen.has(element.name)) duplicate(element);
      seen.add(element.name);
    }
  }

  private declaration(node: DeclarationNode): Declaration | undefined {
    const meaning = readAnnotations(node.annotations, node.kind, this.problems);
    const qualifiedName =
      this.byNode.get(node)?.qualifiedName ?? qualify(this.packageName, node.name);
    const common = () =>
      this.attach(
        {
          name: node.name,
          qualifiedName,
          package: this.packageName,
          span: this.sourceSpan(node.span),
        },
        node,
        meaning,
      );
    const owner = () => `${node.kind} "${node.name}"`;
    switch (node.kind) {
      case "enum": {
        if (node.members.length === 0) {
          this.report(
            Code.EmptyEnumOrUnion,
            `enum "${node.name}" needs at least one member`,
            node.span,
          );
        }
        this.checkUnique(node.members, "member", owner);
        const members = node.members.map((member) =>
          this.documented(
            { name: member.name, span: this.sourceSpan(member.span) },
            member,
            "enum member",
          ),
        );
        return Object.assign(common(), { kind: "enum" as const, members });
      }
      case "record":
      case "error": {
        this.checkUnique(node.fields, "field", owner);
        const fields = node.fields.map((field) =>
          this.documented(
            {
              name: field.name,
              optional: field.optional,
              type: this.type(field.type, "field"),
              span: this.sourceSpan(field.span),
            },
            field,
            "field",
          ),
        );
        if (node.kind === "record")
          return Object.assign(common(), { kind: "record" as const, fields });
        const status = meaning.status ?? DEFAULT_ERROR_STATUS;
        return Object.assign(common(), { kind: "error" as const, fields, status });
      }
      case "union": {
        if (node.cases.length === 0) {
          this.report(
            Code.EmptyEnumOrUnion,
            `union "${node.name}" needs at least one case`,
            node.span,
          );
        }
        this.checkUnique(node.cases, "case", owner);
        const cases = node.cases.map((unionCase) =>
          this.documented(
            {
              name: unionCase.name,
              type: this.type(unionCase.type, "union case"),
              span: this.sourceSpan(unionCase.span),
            },
            unionCase,
            "union case",
          ),
        );
        return Object.assign(common(), { kind: "union" as const, cases });
      }
      case "interface":
      case "callback": {
        this.checkUnique(node.methods, "method", owner);
        const methods = node.methods.map((method) => this.method(method, node.kind));
        return node.kind === "interface"
          ? Object.assign(common(), { kind: "interface" as const, methods })
          : Object.assign(common(), { kind: "callback" as const, methods });
      }
    }
  }

  private method(node: MethodNode, ownerKind: "interface" | "callback"): Method {
    const meaning = readAnnotations(node.annotations, methodTargets[ownerKind], this.problems);
    this.checkUnique(node.params, "parameter", () => `method "${node.name}"`);
    const params: Param[] = [];
    let firstOptional: string | undefined;
    for (const param of node.params) {
      if (param.optional) firstOptional ??= param.name;
      else if (firstOptional !== undefined && param.name !== "") {
        this.report(
          Code.OptionalOrder,
          `required parameter "${param.name}" cannot follow optional parameter "${firstOptional}"`,
          param.span,
        );
      }
      const type = this.type(param.type, parameterPositions[ownerKind]);
      params.push(
        this.documented(
          { name: param.name, optional: param.optional, type, span: this.sourceSpan(param.span) },
          param,
          "parameter",
        ),
      );
    }
    const returnsValue = node.returns !== undefined && node.returns.kind !== "void";
    const returns = returnsValue ? this.type(node.returns, "return") : undefined;
    if (node.oneway && (returnsValue || node.throws.length > 0)) {
      this.report(
        Code.OnewayResult,
        returnsValue
          ? `oneway method "${node.name}" cannot return a value`
          : `oneway method "${node.name}" cannot declare throws`,
        node.span,
      );
    }
    const throws: string[] = [];
    for (const thrown of node.throws) {
      const entry = this.resolve(thrown.name, thrown.span);
      if (!entry) continue;
      if (entry.node.kind !== "error") {
        this.report(
          Code.ThrowsNonError,
          `"${thrown.name}" is ${article(entry.node.kind)}, not an error: only errors can be thrown`,
          thrown.span,
        );
        continue;
      }
      throws.push(entry.qualifiedName);
    }
    this.checkSessionAnnotations(node, meaning, params);
    // Properties set one by one, in the model's order: no objects spread per method.
    const method: { -readonly [K in keyof Method]: Method[K] } = {
      name: node.name,
      oneway: node.oneway,
      idempotent: meaning.idempotent,
    } as Method;
    if (meaning.resubscribe) method.resubscribe = true;
    if (meaning.conflate !== undefined) method.conflate = meaning.conflate;
    if (meaning.rateLimit !== undefined) method.rateLimit = meaning.rateLimit;
    method.params = params;
    method.throws = throws;
    method.span = this.sourceSpan(node.span);
    if (returns) method.returns = returns;
    return this.attach(method, node, meaning);
  }

  /**
   * `@resubscribe` needs a callback to resubscribe with; `@conflate("p")` needs a oneway
   * method with a parameter `p` (readAnnotations has already checked where they stand).
   */
  private checkSessionAnnotations(
    node: MethodNode,
    meaning: AnnotationMeaning,
    params: readonly Param[],
  ): void {
    const spanOf = (name: string) =>
      node.annotations.find((annotation) => annotation.name === name)?.span ?? node.span;
    if (meaning.resubscribe) {
      const takesCallback = params.some(
        (param) => param.type.kind === "named" && param.type.targetKind === "callback",
      );
      if (!takesCallback) {
        this.report(
          Code.MisplacedAnnotation,
          `@resubscribe needs a method that takes a callback, and "${node.name}" takes none`,
          spanOf("resubscribe"),
        );
      }
    }
    if (meaning.conflate !== undefined) {
      if (!node.oneway) {
        this.report(
          Code.MisplacedAnnotation,
          `@conflate applies only to oneway callback methods, and "${node.name}" is not oneway`,
          spanOf("conflate"),
        );
      } else if (!params.some((param) => param.name === meaning.conflate)) {
        this.report(
          Code.BadAnnotationArgs,
          `@conflate("${meaning.conflate}"): "${node.name}" has no parameter "${meaning.conflate}"`,
          spanOf("conflate"),
        );
      }
    }
  }

  /**
   * Resolves a type written at `position`. Returns a placeholder (`json`) for types that
   * could not be resolved: the problem is reported and the model is not handed out.
   */
  private type(node: TypeNode | undefined, position: TypePosition, nested = false): TypeRef {
    const placeholder = primitiveRefs.json;
    if (!node) return placeholder;
    switch (node.kind) {
      case "primitive":
        return primitiveRefs[node.name];
      case "void":
        this.report(
          Code.VoidNotReturn,
          `"void" is allowed only as a method's return type`,
          node.span,
        );
        return placeholder;
      case "list":
        return { kind: "list", element: this.type(node.element, position, true) };
      case "map":
        return { kind: "map", value: this.type(node.value, position, true) };
      case "named": {
        const entry = this.resolve(node.name, node.span);
        if (!entry) return placeholder;
        const kind = entry.node.kind;
        if (kind === "interface") {
          this.report(
            Code.InterfaceAsType,
            `interface "${node.name}" cannot be used as a type`,
            node.span,
          );
          return placeholder;
        }
        if (kind === "error") {
          this.report(
            Code.ErrorAsValue,
            `error "${node.name}" is not a value type: errors can only be thrown`,
            node.span,
          );
          return placeholder;
        }
        if (kind === "callback" && (nested || position !== "interface parameter")) {
          this.report(
            Code.MisplacedCallback,
            `callback "${node.name}" can only be the type of a parameter of an interface method, ` +
              `not ${nested ? "inside a list or map" : positionDescriptions[position]}`,
            node.span,
          );
          return placeholder;
        }
        return { kind: "named", target: entry.qualifiedName, targetKind: kind };
      }
    }
  }

  /** Finds the declaration `name` refers to from this file, or reports why it cannot. */
  private resolve(name: string, span: Span): DeclaredEntry | undefined {
    if (name === "") return undefined;
    const known = this.resolved.get(name);
    if (known) {
      this.references?.push({ span, name, target: known.qualifiedName });
      return known;
    }
    const candidates = name.includes(".")
      ? [name, qualify(this.packageName, name)]
      : [qualify(this.packageName, name)];
    for (const candidate of candidates) {
      const entry = this.visible.get(candidate);
      if (entry) {
        this.resolved.set(name, entry);
        this.references?.push({ span, name, target: entry.qualifiedName });
        return entry;
      }
    }
    for (const candidate of candidates) {
      const elsewhere = this.declared.get(candidate);
      if (elsewhere) {
        this.report(
          Code.NotImported,
          `"${name}" is declared in ${elsewhere.file.displayPath}, which this file does not import`,
          span,
        );
        return undefined;
      }
    }
    const suggestion = nearestName(name, this.referableNames());
    this.report(
      Code.UnknownType,
      `unknown type "${name}"` + (suggestion ? `; did you mean "${suggestion}"?` : ""),
      span,
    );
    return undefined;
  }

  /** Visible declarations as this file would write them: bare within its package. */
  private referableNames(): string[] {
    const prefix = this.packageName === "" ? "" : `${this.packageName}.`;
    const declared = [...this.visible.keys()].map((qualifiedName) =>
      prefix !== "" &&
      qualifiedName.startsWith(prefix) &&
      !qualifiedName.slice(prefix.length).includes(".")
        ? qualifiedName.slice(prefix.length)
        : qualifiedName,
    );
    return [...primitiveTypeNames, ...declared];
  }
}

const positionDescriptions: Record<TypePosition, string> = {
  field: "the type of a field",
  "union case": "the type of a union case",
  return: "a return type",
  "interface parameter": "a parameter type",
  "callback parameter": "a parameter of a callback's method",
};

/** One immutable reference per primitive, shared by every use: most types are primitives. */
const primitiveRefs: Record<PrimitiveName, TypeRef> = {
  bool: Object.freeze({ kind: "primitive", name: "bool" }),
  int32: Object.freeze({ kind: "primitive", name: "int32" }),
  int64: Object.freeze({ kind: "primitive", name: "int64" }),
  float64: Object.freeze({ kind: "primitive", name: "float64" }),
  string: Object.freeze({ kind: "primitive", name: "string" }),
  bytes: Object.freeze({ kind: "primitive", name: "bytes" }),
  timestamp: Object.freeze({ kind: "primitive", name: "timestamp" }),
  json: Object.freeze({ kind: "primitive", name: "json" }),
};

const primitiveTypeNames = [
  "bool",
  "int32",
  "int64",
  "float64",
  "string",
  "bytes",
  "timestamp",
  "json",
];

function article(kind: DeclarationNode["kind"]): string {
  return kind === "enum" || kind === "error" || kind === "interface" ? `an ${kind}` : `a ${kind}`;
}
