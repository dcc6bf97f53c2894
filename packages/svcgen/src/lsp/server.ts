/**
 * The language server: LSP requests and notifications wired to the incremental analysis.
 * Edits are applied on the next turn of the event loop (a burst of changes is checked
 * once), and every request first applies what is pending, so answers always match the text
 * the editor sent.
 */
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type {
  CompletionItem,
  Connection,
  Diagnostic,
  Hover,
  InitializeParams,
  InitializeResult,
  Location,
  Range,
  TextDocumentPositionParams,
  TextEdit,
  WorkspaceEdit,
} from "vscode-languageserver/node";
import {
  DiagnosticSeverity,
  ErrorCodes,
  FileChangeType,
  MarkupKind,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Problem } from "../diagnostics/diagnostic.js";
import { WorkspaceAnalysis } from "./analysis.js";
import type { AnalyzedFile } from "./analysis.js";
import { complete } from "./completion.js";
import { describeTarget } from "./describe.js";
import { findSvcFiles, isFile, readSvcFile } from "./disk.js";
import { formatDocument } from "./formatting.js";
import { WorkspaceLint } from "./lint.js";
import { CONFIG_FILE } from "../lint/index.js";
import type { LintProblem } from "../lint/index.js";
import { locate } from "./locate.js";
import type { Target } from "./locate.js";
import {
  definition,
  namedDeclaration,
  references,
  renameEdits,
  renameProblem,
} from "./navigation.js";
import type { PathRange } from "./navigation.js";
import { toRange } from "./positions.js";

/** Registers every handler on `connection`; the caller starts it with `listen()`. */
export function startLanguageServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  /** Absolute path → the URI the editor uses for it (answers use the editor's spelling). */
  const uris = new Map<string, string>();
  let roots: string[] = [];
  let pending = new Map<string, string | undefined>();
  let flushScheduled = false;

  const openText = (absolute: string): string | undefined => {
    const uri = uris.get(absolute);
    return uri === undefined ? undefined : documents.get(uri)?.getText();
  };
  const analysis = new WorkspaceAnalysis({
    readFile: (absolute) => openText(absolute) ?? readSvcFile(absolute),
    isFile: (absolute) => openText(absolute) !== undefined || isFile(absolute),
    displayPath: (absolute) => {
      for (const root of roots) {
        const relative = path.relative(root, absolute);
        if (relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative)) {
          return relative;
        }
      }
      return absolute;
    },
  });

  /** Off when the editor passes `initializationOptions: { lint: false }`. */
  let lint: WorkspaceLint | undefined;

  const uriOf = (absolute: string) => uris.get(absolute) ?? pathToFileURL(absolute).href;
  const diagnosticsOf = (absolute: string): Diagnostic[] => {
    const checked = analysis.diagnostics(absolute).map(toDiagnostic);
    const linted = lint?.problems(absolute) ?? [];
    if (linted.length === 0) return checked;
    const all = [...checked, ...linted.map(toLintDiagnostic)];
    const start = (d: Diagnostic) => d.range.start;
    return all.sort(
      (a, b) => start(a).line - start(b).line || start(a).character - start(b).character,
    );
  };
  /** The files whose diagnostics (the checker's or lint's) changed since last published. */
  const changedFiles = (): Set<string> =>
    new Set([...analysis.changedDiagnostics(), ...(lint?.changed() ?? [])]);
  const location = (place: PathRange): Location => ({ uri: uriOf(place.path), range: place.range });

  /** Applies pending changes and publishes every diagnostic set that changed. */
  const flush = () => {
    if (pending.size === 0) return;
    const changes = pending;
    pending = new Map();
    const summary = analysis.update(changes);
    const publish = changedFiles();
    for (const absolute of summary.parsed) if (uris.has(absolute)) publish.add(absolute);
    publishFor(publish);
    for (const absolute of summary.removed) {
      void connection.sendDiagnostics({ uri: uriOf(absolute), diagnostics: [] });
    }
  };
  const publishFor = (files: Iterable<string>) => {
    for (const absolute of files) {
      const uri = uriOf(absolute);
      const version = documents.get(uri)?.version;
      void connection.sendDiagnostics({
        uri,
        ...(version === undefined ? {} : { version }),
        diagnostics: diagnosticsOf(absolute),
      });
    }
  };
  const schedule = (absolute: string, text: string | undefined) => {
    pending.set(absolute, text);
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      guard("applying changes", flush, undefined);
    });
  };

  const guard = <R>(what: string, work: () => R, fallback: R): R => {
    try {
      return work();
    } catch (error) {
      if (error instanceof ResponseError) throw error;
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      connection.console.error(`svcgen lsp: internal error while ${what}: ${detail}`);
      return fallback;
    }
  };

  /** The analysed file and what the cursor is on, after applying pending changes. */
  const at = (
    params: TextDocumentPositionParams,
  ): { file: AnalyzedFile; target: Target | undefined } | undefined => {
    flush();
    const absolute = toPath(params.textDocument.uri);
    const file = absolute === undefined ? undefined : analysis.get(absolute);
    return file ? { file, target: locate(file, params.position) } : undefined;
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    roots = workspaceRoots(params);
    const options = params.initializationOptions as { lint?: unknown } | null | undefined;
    if (options?.lint !== false) {
      lint = new WorkspaceLint(analysis, (message) => connection.console.error(message));
    }
    for (const root of roots) {
      for (const absolute of findSvcFiles(root)) pending.set(absolute, readSvcFile(absolute));
    }
    // Checked now, published once the client says it is initialized.
    guard("loading the workspace", () => analysis.update(takePending()), undefined);
    return {
      capabilities: {
        textDocumentSync: {
          openClose: true,
          change: TextDocumentSyncKind.Incremental,
        },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        completionProvider: { triggerCharacters: ["@", ".", ":"] },
        documentFormattingProvider: true,
      },
      serverInfo: { name: "svcgen" },
    };
  });
  const takePending = () => {
    const taken = pending;
    pending = new Map();
    return taken;
  };

  connection.onInitialized(() => {
    guard("publishing diagnostics", () => publishFor(changedFiles()), undefined);
  });

  documents.onDidChangeContent((event) => {
    const absolute = toPath(event.document.uri);
    if (absolute === undefined) return;
    uris.set(absolute, event.document.uri);
    schedule(absolute, event.document.getText());
  });
  documents.onDidClose((event) => {
    const absolute = toPath(event.document.uri);
    if (absolute === undefined) return;
    // Closing an editor reverts the file to what is on disk (or removes it, if nothing is).
    schedule(absolute, readSvcFile(absolute));
  });
  connection.onDidChangeWatchedFiles((params) => {
    let configChanged = false;
    for (const change of params.changes) {
      const absolute = toPath(change.uri);
      if (absolute !== undefined && path.basename(absolute) === CONFIG_FILE) configChanged = true;
      if (absolute === undefined || !absolute.endsWith(".svc")) continue;
      if (openText(absolute) !== undefined) continue; // the editor's text wins
      schedule(
        absolute,
        change.type === FileChangeType.Deleted ? undefined : readSvcFile(absolute),
      );
    }
    if (configChanged && lint) {
      lint.configChanged();
      guard("applying a lint configuration", () => publishFor(lint!.changed()), undefined);
    }
  });

  connection.onHover((params): Hover | null =>
    guard(
      "answering hover",
      () => {
        const found = at(params);
        if (!found?.target) return null;
        const value = describeTarget(analysis, found.file, found.target);
        return value === undefined ? null : { contents: { kind: MarkupKind.Markdown, value } };
      },
      null,
    ),
  );

  connection.onDefinition((params): Location | null =>
    guard(
      "finding a definition",
      () => {
        const found = at(params);
        if (!found?.target) return null;
        const place = definition(analysis, found.file, found.target);
        return place ? location(place) : null;
      },
      null,
    ),
  );

  connection.onReferences((params): Location[] | null =>
    guard(
      "finding references",
      () => {
        const found = at(params);
        const named = found?.target && namedDeclaration(analysis, found.file, found.target);
        if (!named) return null;
        return references(analysis, named, params.context.includeDeclaration).map(location);
      },
      null,
    ),
  );

  connection.onPrepareRename((params): { range: Range; placeholder: string } | null =>
    guard(
      "preparing a rename",
      () => {
        const found = at(params);
        const named = found?.target && namedDeclaration(analysis, found.file, found.target);
        if (!named) {
          throw new ResponseError(
            ErrorCodes.InvalidRequest,
            "only a declaration, or a type or error naming one, can be renamed",
          );
        }
        return { range: named.atCursor, placeholder: named.name };
      },
      null,
    ),
  );

  connection.onRenameRequest((params): WorkspaceEdit | null =>
    guard(
      "renaming",
      () => {
        const found = at(params);
        const named = found?.target && namedDeclaration(analysis, found.file, found.target);
        if (!named) return null;
        const problem = renameProblem(analysis, named, params.newName);
        if (problem !== undefined) throw new ResponseError(ErrorCodes.InvalidParams, problem);
        const changes: NonNullable<WorkspaceEdit["changes"]> = {};
        for (const [absolute, edits] of renameEdits(analysis, named, params.newName)) {
          changes[uriOf(absolute)] = edits;
        }
        return { changes };
      },
      null,
    ),
  );

  connection.onCompletion((params): CompletionItem[] =>
    guard(
      "completing",
      () => {
        flush();
        const absolute = toPath(params.textDocument.uri);
        const document = documents.get(params.textDocument.uri);
        const file = absolute === undefined ? undefined : analysis.get(absolute);
        if (!file || !document) return [];
        return complete(analysis, file, document.offsetAt(params.position), params.position);
      },
      [],
    ),
  );

  connection.onDocumentFormatting((params): TextEdit[] =>
    guard(
      "formatting",
      () => {
        const document = documents.get(params.textDocument.uri);
        return document ? formatDocument(document) : [];
      },
      [],
    ),
  );

  documents.listen(connection);
}

function toLintDiagnostic(problem: LintProblem): Diagnostic {
  return {
    range: toRange(problem.span),
    severity: problem.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: problem.code,
    source: "svcgen lint",
    message: problem.message,
  };
}

function toDiagnostic(problem: Problem): Diagnostic {
  return {
    range: toRange(problem.span),
    severity: DiagnosticSeverity.Error,
    code: problem.code,
    source: "svcgen",
    message: problem.message,
  };
}

/** The absolute path of a `file:` URI; undefined for any other scheme (unsaved editors). */
function toPath(uri: string): string | undefined {
  if (!uri.startsWith("file:")) return undefined;
  try {
    return path.normalize(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}

function workspaceRoots(params: InitializeParams): string[] {
  const uris = params.workspaceFolders?.map((folder) => folder.uri) ?? [];
  if (uris.length === 0 && params.rootUri) uris.push(params.rootUri);
  const roots = uris.map(toPath).filter((root): root is string => root !== undefined);
  if (roots.length === 0 && params.rootPath) roots.push(path.resolve(params.rootPath));
  return roots;
}
