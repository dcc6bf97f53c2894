// The VS Code side of svcgen: starts `svcgen lsp` for .svc files. Everything else (diagnostics,
// hover, definition, completion, rename, formatting) is the language server's.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

/** @type {LanguageClient | undefined} */
let client;

/**
 * How to start the server: the `svcgen.server.path` setting; else the workspace's own svcgen
 * (node_modules/svcgen, the version that generates the project's code), run with VS Code's
 * Node; else `svcgen` on the PATH.
 */
function serverOptions() {
  const configured = vscode.workspace.getConfiguration("svcgen").get("server.path");
  if (typeof configured === "string" && configured.trim() !== "") {
    const command = configured.trim();
    if (command.endsWith(".js") || command.endsWith(".mjs")) {
      return { module: command, args: ["lsp"], transport: TransportKind.stdio };
    }
    return { command, args: ["lsp", "--stdio"], options: { shell: process.platform === "win32" } };
  }
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const local = path.join(folder.uri.fsPath, "node_modules", "svcgen", "bin", "svcgen.js");
    if (fs.existsSync(local))
      return { module: local, args: ["lsp"], transport: TransportKind.stdio };
  }
  return {
    command: "svcgen",
    args: ["lsp", "--stdio"],
    options: { shell: process.platform === "win32" },
  };
}

async function start() {
  client = new LanguageClient("svcgen", "svcgen", serverOptions(), {
    documentSelector: [{ scheme: "file", language: "svc" }],
    synchronize: {
      // Files changed outside the editor (git checkout, svcgen fmt) reach the server too, and
      // so do edits of the lint configuration.
      fileEvents: [
        vscode.workspace.createFileSystemWatcher("**/*.svc"),
        vscode.workspace.createFileSystemWatcher("**/svcgen.json"),
      ],
    },
    initializationOptions: {
      lint: vscode.workspace.getConfiguration("svcgen").get("lint.enable", true),
    },
  });
  await client.start();
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("svcgen.restartServer", async () => {
      if (client) await client.stop();
      await start();
    }),
  );
  await start();
}

async function deactivate() {
  if (client) await client.stop();
}

module.exports = { activate, deactivate };
