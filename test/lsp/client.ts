/**
 * A real LSP client for tests: spawns `svcgen lsp --stdio` (the built CLI) and talks JSON-RPC
 * to it over the child's stdin/stdout, as an editor does.
 */
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver-protocol/node";
import type {
  Diagnostic,
  ProtocolConnection,
  PublishDiagnosticsParams,
} from "vscode-languageserver-protocol/node";

const here = path.dirname(fileURLToPath(import.meta.url));
export const svcgenBin = path.join(here, "..", "..", "packages", "svcgen", "bin", "svcgen.js");

/** How long a test waits for the server before failing (the machine may be busy). */
const WAIT_MS = 15_000;

export const uriOf = (absolute: string) => pathToFileURL(absolute).href;

export class LspClient {
  readonly connection: ProtocolConnection;
  /** Every publishDiagnostics notification, in arrival order. */
  readonly published: PublishDiagnosticsParams[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly versions = new Map<string, number>();
  stderr = "";

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stderr.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.connection = createProtocolConnection(
      new StreamMessageReader(child.stdout),
      new StreamMessageWriter(child.stdin),
    );
    this.connection.onNotification(
      "textDocument/publishDiagnostics",
      (params: PublishDiagnosticsParams) => {
        this.published.push(params);
        for (const wake of [...this.waiters]) wake();
      },
    );
    this.connection.listen();
  }

  /**
   * Starts a server on the workspace folder `root` and completes the initialize handshake.
   * Lint warnings are off unless `lint` is set: most tests are about the checker's errors.
   */
  static async start(root: string, { lint = false }: { lint?: boolean } = {}): Promise<LspClient> {
    const child = spawn(process.execPath, [svcgenBin, "lsp", "--stdio"], { stdio: "pipe" });
    const client = new LspClient(child);
    await client.connection.sendRequest("initialize", {
      processId: process.pid,
      rootUri: uriOf(root),
      workspaceFolders: [{ uri: uriOf(root), name: "test" }],
      capabilities: {},
      initializationOptions: { lint },
    });
    await client.connection.sendNotification("initialized", {});
    return client;
  }

  async open(absolute: string, text: string): Promise<void> {
    this.versions.set(absolute, 1);
    await this.connection.sendNotification("textDocument/didOpen", {
      textDocument: { uri: uriOf(absolute), languageId: "svc", version: 1, text },
    });
  }

  /** Replaces the whole text of an open document; resolves to the new version. */
  async change(absolute: string, text: string): Promise<number> {
    const version = (this.versions.get(absolute) ?? 1) + 1;
    this.versions.set(absolute, version);
    await this.connection.sendNotification("textDocument/didChange", {
      textDocument: { uri: uriOf(absolute), version },
      contentChanges: [{ text }],
    });
    return version;
  }

  async close(absolute: string): Promise<void> {
    await this.connection.sendNotification("textDocument/didClose", {
      textDocument: { uri: uriOf(absolute) },
    });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  /** The latest diagnostics published for a file, once one satisfies `accept`. */
  async diagnostics(
    absolute: string,
    accept: (diagnostics: Diagnostic[], params: PublishDiagnosticsParams) => boolean = () => true,
  ): Promise<Diagnostic[]> {
    const uri = uriOf(absolute);
    const latest = () => this.published.filter((params) => params.uri === uri).at(-1);
    return new Promise((resolve, reject) => {
      const check = () => {
        const params = latest();
        if (params && accept(params.diagnostics, params)) {
          done();
          resolve(params.diagnostics);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no matching diagnostics for ${uri}; last: ${JSON.stringify(latest())}`));
      }, WAIT_MS);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Diagnostics for a document version (what the server published after that edit). */
  diagnosticsOfVersion(absolute: string, version: number): Promise<Diagnostic[]> {
    return this.diagnostics(absolute, (_, params) => params.version === version);
  }

  /** Shuts the server down politely and waits for the process to end. */
  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => {
      if (this.child.exitCode !== null) resolve(this.child.exitCode);
      else this.child.once("exit", (code) => resolve(code));
    });
    try {
      await this.connection.sendRequest("shutdown");
      await this.connection.sendNotification("exit");
    } catch {
      // Already gone: the exit code below tells.
    }
    const timer = setTimeout(() => this.child.kill("SIGKILL"), WAIT_MS);
    const code = await exited;
    clearTimeout(timer);
    this.connection.dispose();
    return code;
  }
}
