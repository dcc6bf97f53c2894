import {
  createConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver/node";
import { startLanguageServer } from "../lsp/server.js";

/**
 * `svcgen lsp`: a language server on stdin/stdout (`--stdio`, the only transport, is
 * accepted because editors pass it). Runs until the client sends `exit` or closes stdin.
 */
export function runLsp(): void {
  const connection = createConnection(
    new StreamMessageReader(process.stdin),
    new StreamMessageWriter(process.stdout),
  );
  startLanguageServer(connection);
  connection.listen();
}
