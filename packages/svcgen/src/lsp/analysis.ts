/**
 * The incremental front end of the language server: every file of the workspace parsed and
 * checked once, then, after an edit, only what the edit can reach re-parsed and re-checked.
 *
 * What an edit of file F reaches:
 * - F itself (re-parsed and re-checked);
 * - files whose imports now resolve differently (F was created or deleted);
 * - when F's signature changed (the qualified names it declares and their kinds — the only
 *   thing another file's check reads from F): the files that referred to a changed name,
 *   the files that declare one (which duplicate is first may change), and the files with
 *   unresolved names (they may resolve now).
 * Each file re-checked is checked against the few files its check reads (its imports and
 * the files declaring the names it declares, sees or writes), not the whole program. The
 * program-wide rules (duplicate declarations, import cycles) run over every file, but only
 * when an edit can change their outcome: a file appears or disappears, its imports resolve
 * differently, or it declares a name declared twice or had such a problem. Everything else
 * of an unreached file is kept from its last check.
 */
import { dirname, join, resolve } from "node:path";
import { Code } from "../diagnostics/diagnostic.js";
import type { Problem } from "../diagnostics/diagnostic.js";
import { checkProgram } from "../model/check.js";
import type { CheckInput, Reference } from "../model/check.js";
import type { SourceFile } from "../model/model.js";
import { importNotFound } from "../program.js";
import type { DeclarationNode, FileNode, TypeNode } from "../syntax/ast.js";
import { compareProblems, parseSource } from "../syntax/parse.js";

/** One file as the last update left it. */
export interface AnalyzedFile {
  /** Absolute path. */
  readonly path: string;
  /** Relative to the workspace folder when inside it: what messages name. */
  readonly displayPath: string;
  readonly text: string;
  readonly ast: FileNode;
  /** Per `ast.imports` entry: the absolute path it names, whether or not the file exists. */
  readonly importTargets: readonly string[];
  /** Per `ast.imports` entry: the file it resolved to, undefined when there is none. */
  readonly importPaths: readonly (string | undefined)[];
  /** Names resolved by the last check of this file. */
  readonly references: readonly Reference[];
  /** The checked file (resolved types of its declarations). */
  readonly model?: SourceFile;
}

/** Where the analysis reads files that no editor has open, and how it names them. */
export interface AnalysisHost {
  readFile(absolute: string): string | undefined;
  isFile(absolute: string): boolean;
  displayPath(absolute: string): string;
}

/** What one update did: the files re-parsed, removed and re-checked. */
export interface UpdateSummary {
  readonly parsed: ReadonlySet<string>;
  readonly removed: ReadonlySet<string>;
  readonly checked: ReadonlySet<string>;
}

class FileEntry implements AnalyzedFile {
  readonly ast: FileNode;
  readonly parseProblems: readonly Problem[];
  readonly importTargets: string[];
  /** Qualified name → kind of every declaration: what other files' checks read. */
  readonly signature: ReadonlyMap<string, string>;
  /** The unqualified names of the declarations, and the last segments of every name written. */
  readonly simpleNames: ReadonlySet<string>;
  readonly writtenNames: ReadonlySet<string>;
  input: CheckInput;
  importProblems: Problem[] = [];
  programProblems: readonly Problem[] = [];
  localProblems: readonly Problem[] = [];
  references: readonly Reference[] = [];
  model?: SourceFile;
  /** The diagnostics last handed out, serialised: to tell which files changed. */
  reportedKey = "";

  constructor(
    readonly path: string,
    readonly displayPath: string,
    readonly text: string,
  ) {
    const parsed = parseSource(text);
    this.ast = parsed.file;
    this.parseProblems = parsed.problems;
    this.importTargets = parsed.file.imports.map((node) => resolve(dirname(this.path), node.path));
    const signature = new Map<string, string>();
    for (const node of parsed.file.declarations) {
      if (node.name === "") continue;
      const name = qualify(parsed.file.packageName, node.name);
      signature.set(name, signature.has(name) ? `${signature.get(name)} ${node.kind}` : node.kind);
    }
    this.signature = signature;
    this.simpleNames = new Set(parsed.file.declarations.map((node) => node.name));
    this.writtenNames = writtenNames(parsed.file);
    this.input = { path: this.path, displayPath, ast: this.ast, importPaths: [] };
  }

  get importPaths(): readonly (string | undefined)[] {
    return this.input.importPaths;
  }

  get unresolved(): boolean {
    return this.localProblems.some(
      (problem) => problem.code === Code.UnknownType || problem.code === Code.NotImported,
    );
  }
}

export class WorkspaceAnalysis {
  private readonly files = new Map<string, FileEntry>();
  /** Absolute paths in check order (sorted): which of two duplicates comes first. */
  private order: string[] = [];
  /** Imported path (existing or not) → the files importing it. */
  private readonly importers = new Map<string, Set<string>>();
  /** Qualified name → the files declaring it. */
  private readonly declarers = new Map<string, Set<string>>();
  /** Unqualified name → the files declaring it (in any package). */
  private readonly simpleDeclarers = new Map<string, Set<string>>();
  /** Qualified name → the files whose references resolved to it. */
  private readonly referencers = new Map<string, Set<string>>();

  constructor(private readonly host: AnalysisHost) {}

  get(absolute: string): AnalyzedFile | undefined {
    return this.files.get(absolute);
  }

  all(): Iterable<AnalyzedFile> {
    return this.files.values();
  }

  /**
   * Applies new texts (`undefined`: the file is gone), loads the files they newly import
   * from disk, and re-checks what the changes reach.
   */
  update(changes: ReadonlyMap<string, string | undefined>): UpdateSummary {
    const parsed = new Set<string>();
    const removed = new Set<string>();
    const oldSignatures = new Map<string, ReadonlyMap<string, string>>();
    const oldImports = new Map<string, readonly (string | undefined)[]>();
    const relink = new Set<string>();
    let programWide = false;

    for (const [absolute, text] of changes) {
      const old = this.files.get(absolute);
      if (old) {
        oldSignatures.set(absolute, old.signature);
        oldImports.set(absolute, old.input.importPaths);
        if (old.programProblems.length > 0 || this.declaresDuplicate(old)) programWide = true;
        this.unindex(old);
      } else {
        oldSignatures.set(absolute, new Map());
        programWide = true;
      }
      // A file appearing or disappearing changes how its importers' imports resolve.
      if (!old || text === undefined) {
        for (const importer of this.importers.get(absolute) ?? []) relink.add(importer);
      }
      if (text === undefined) {
        if (old) {
          this.files.delete(absolute);
          removed.add(absolute);
          programWide = true;
        }
        continue;
      }
      this.add(new FileEntry(absolute, this.host.displayPath(absolute), text));
      parsed.add(absolute);
      relink.add(absolute);
    }

    // Resolve imports; a newly imported file is read from disk and resolved in turn.
    const pending = [...relink];
    const queued = new Set(pending);
    const enqueue = (absolute: string) => {
      if (queued.has(absolute)) return;
      queued.add(absolute);
      pending.push(absolute);
    };
    for (let next = 0; next < pending.length; next++) {
      const entry = this.files.get(pending[next]!);
      if (!entry) continue;
      const before = oldImports.get(entry.path) ?? entry.input.importPaths;
      const loadedNow = this.linkImports(entry);
      if (!sameList(before, entry.input.importPaths)) programWide = true;
      for (const loaded of loadedNow) {
        programWide = true;
        oldSignatures.set(loaded, new Map());
        parsed.add(loaded);
        enqueue(loaded);
        // It may also be what other files were missing.
        for (const importer of this.importers.get(loaded) ?? []) enqueue(importer);
      }
    }
    this.order = [...this.files.keys()].sort();

    const checked = new Set<string>(pending.filter((absolute) => this.files.has(absolute)));
    const changedNames = new Set<string>();
    for (const [absolute, before] of oldSignatures) {
      const after = this.files.get(absolute)?.signature ?? new Map<string, string>();
      for (const [name, kind] of before) if (after.get(name) !== kind) changedNames.add(name);
      for (const [name, kind] of after) if (before.get(name) !== kind) changedNames.add(name);
    }
    if (changedNames.size > 0) {
      for (const name of changedNames) {
        for (const file of this.referencers.get(name) ?? []) checked.add(file);
        for (const file of this.declarers.get(name) ?? []) checked.add(file);
      }
      for (const entry of this.files.values()) if (entry.unresolved) checked.add(entry.path);
    }
    for (const absolute of parsed) {
      if (this.declaresDuplicate(this.files.get(absolute)!)) programWide = true;
    }
    this.check(checked, programWide);
    return { parsed, removed, checked };
  }

  /** Every problem of a file, in source order. */
  diagnostics(absolute: string): Problem[] {
    const entry = this.files.get(absolute);
    if (!entry) return [];
    const problems = [
      ...entry.parseProblems,
      ...entry.importProblems,
      ...entry.programProblems,
      ...entry.localProblems,
    ];
    return problems.sort(compareProblems);
  }

  /** The files whose diagnostics differ from the last time this was asked. */
  changedDiagnostics(): string[] {
    const changed: string[] = [];
    for (const entry of this.files.values()) {
      const key = JSON.stringify(this.diagnostics(entry.path));
      if (key !== entry.reportedKey) {
        entry.reportedKey = key;
        changed.push(entry.path);
      }
    }
    return changed;
  }

  /** The declaration a qualified name resolves to (the first, when declared twice). */
  declaration(qualifiedName: string): { file: AnalyzedFile; node: DeclarationNode } | undefined {
    let first: FileEntry | undefined;
    for (const absolute of this.declarers.get(qualifiedName) ?? []) {
      if (!first || absolute < first.path) first = this.files.get(absolute);
    }
    if (!first) return undefined;
    const node = first.ast.declarations.find(
      (declaration) => qualify(first.ast.packageName, declaration.name) === qualifiedName,
    );
    return node ? { file: first, node } : undefined;
  }

  /** Whether some file's last check resolved a name to this qualified name. */
  isReferenced(qualifiedName: string): boolean {
    return this.referencers.has(qualifiedName);
  }

  /** The file declaring a qualified name (the first, when declared twice). */
  declaringFile(qualifiedName: string): string | undefined {
    let first: string | undefined;
    for (const absolute of this.declarers.get(qualifiedName) ?? []) {
      if (first === undefined || absolute < first) first = absolute;
    }
    return first;
  }

  /** Every reference to a qualified name, file by file. */
  referencesTo(qualifiedName: string): { file: AnalyzedFile; reference: Reference }[] {
    const found: { file: AnalyzedFile; reference: Reference }[] = [];
    for (const absolute of [...(this.referencers.get(qualifiedName) ?? [])].sort()) {
      const file = this.files.get(absolute)!;
      for (const reference of file.references) {
        if (reference.target === qualifiedName) found.push({ file, reference });
      }
    }
    return found;
  }

  private add(entry: FileEntry): void {
    this.files.set(entry.path, entry);
    for (const name of entry.signature.keys()) addTo(this.declarers, name, entry.path);
    for (const name of entry.simpleNames) addTo(this.simpleDeclarers, name, entry.path);
    for (const target of entry.importTargets) addTo(this.importers, target, entry.path);
  }

  private unindex(entry: FileEntry): void {
    for (const name of entry.signature.keys()) removeFrom(this.declarers, name, entry.path);
    for (const name of entry.simpleNames) removeFrom(this.simpleDeclarers, name, entry.path);
    for (const target of entry.importTargets) removeFrom(this.importers, target, entry.path);
    for (const reference of entry.references) {
      removeFrom(this.referencers, reference.target, entry.path);
    }
  }

  /**
   * Resolves the entry's imports against loaded files, then disk (reading and adding what
   * it finds there); returns the paths it added.
   */
  private linkImports(entry: FileEntry): string[] {
    const loaded: string[] = [];
    const importPaths: (string | undefined)[] = [];
    entry.importProblems = [];
    entry.ast.imports.forEach((node, index) => {
      const target = entry.importTargets[index]!;
      if (node.path !== "" && !this.files.has(target) && this.host.isFile(target)) {
        const text = this.host.readFile(target);
        if (text !== undefined) {
          this.add(new FileEntry(target, this.host.displayPath(target), text));
          loaded.push(target);
        }
      }
      if (node.path === "" || !this.files.has(target)) {
        const lookedFor = join(dirname(entry.displayPath), node.path);
        entry.importProblems.push(importNotFound(node, lookedFor));
        importPaths.push(undefined);
        return;
      }
      importPaths.push(target);
    });
    entry.input = { ...entry.input, importPaths };
    return loaded;
  }

  /** Whether the file declares a name that some file (it or another) declares again. */
  private declaresDuplicate(entry: FileEntry): boolean {
    for (const [name, kinds] of entry.signature) {
      // Declared by another file too, or twice in this one (two kinds listed).
      if ((this.declarers.get(name)?.size ?? 0) > 1 || kinds.includes(" ")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Re-checks the files in `only`, each against what its check reads: its imports, and every
   * file declaring a name it or they declare, or a name it writes (so the same declaration
   * wins where a name is declared twice, and a name not imported is found where it is).
   */
  private check(only: ReadonlySet<string>, programWide: boolean): void {
    const needed = new Set<string>();
    const need = (names: Iterable<string>, index: ReadonlyMap<string, Set<string>>) => {
      for (const name of names) for (const file of index.get(name) ?? []) needed.add(file);
    };
    for (const absolute of only) {
      const entry = this.files.get(absolute)!;
      needed.add(absolute);
      need(entry.signature.keys(), this.declarers);
      need(entry.writtenNames, this.simpleDeclarers);
      for (const target of entry.input.importPaths) {
        const imported = target === undefined ? undefined : this.files.get(target);
        if (!imported) continue;
        needed.add(imported.path);
        need(imported.signature.keys(), this.declarers);
      }
    }
    const whole = needed.size === this.files.size;
    const inputs = this.order
      .filter((absolute) => whole || needed.has(absolute))
      .map((absolute) => this.files.get(absolute)!.input);
    const result = checkProgram(inputs, { only });
    // A check of part of the program cannot tell program-wide problems; the whole can.
    let programWideResult = whole ? result : undefined;
    if (!whole && programWide) {
      const everything = this.order.map((absolute) => this.files.get(absolute)!.input);
      programWideResult = checkProgram(everything, { only: new Set() });
    }
    if (programWideResult) {
      for (const entry of this.files.values()) {
        entry.programProblems = programWideResult.programProblems.get(entry.path) ?? [];
      }
    }
    const models = new Map(result.model.files.map((file) => [file.path, file]));
    for (const absolute of only) {
      const entry = this.files.get(absolute)!;
      const programWideHere = new Set(result.programProblems.get(absolute) ?? []);
      const problems = result.problems.get(absolute) ?? [];
      entry.localProblems = problems.filter((problem) => !programWideHere.has(problem));
      for (const reference of entry.references) {
        removeFrom(this.referencers, reference.target, entry.path);
      }
      entry.references = result.references.get(absolute) ?? [];
      for (const reference of entry.references) {
        addTo(this.referencers, reference.target, entry.path);
      }
      entry.model = models.get(absolute);
    }
  }
}

export function qualify(packageName: string, name: string): string {
  return packageName === "" ? name : `${packageName}.${name}`;
}

function addTo(index: Map<string, Set<string>>, key: string, value: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom(index: Map<string, Set<string>>, key: string, value: string): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) index.delete(key);
}

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/** The last segment of every name written in a type or `throws` of the file. */
function writtenNames(file: FileNode): Set<string> {
  const names = new Set<string>();
  const add = (name: string) => names.add(name.slice(name.lastIndexOf(".") + 1));
  const visit = (type: TypeNode | undefined, depth: number): void => {
    // Types nest only as deep as the parser allows; the bound keeps this loop honest anyway.
    for (let node = type; node && depth < 1000; depth++) {
      if (node.kind === "named") add(node.name);
      node = node.kind === "list" ? node.element : node.kind === "map" ? node.value : undefined;
    }
  };
  for (const node of file.declarations) {
    switch (node.kind) {
      case "record":
      case "error":
        for (const field of node.fields) visit(field.type, 0);
        break;
      case "union":
        for (const unionCase of node.cases) visit(unionCase.type, 0);
        break;
      case "interface":
      case "callback":
        for (const method of node.methods) {
          for (const param of method.params) visit(param.type, 0);
          visit(method.returns, 0);
          for (const thrown of method.throws) add(thrown.name);
        }
        break;
      case "enum":
        break;
    }
  }
  return names;
}
