/**
 * `svcgen lsp` publishes the warnings of `svcgen lint` with the checker's errors: with their
 * codes and severities, as the text changes, across files (an unused type is used once another
 * file refers to it), and as the lint configuration changes.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import { writeFile } from "node:fs/promises";
import { tempTree } from "../frontend/helpers.js";
import { LspClient, uriOf } from "./client.js";

const typesText = `/// Shared types and a service using some of them.
package shop;

/// A line of an order.
record Line {
  sku: string;
}

/// Orders of the shop.
interface Orders {
  /// Places an order; returns its id.
  place(sku: string): string;
}
`;

const userText = (use: string) => `/// Uses the shop's types.
package shop.user;

import "types.svc";

/// Someone's basket.
record Basket {
  ${use}
}
`;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(files: Record<string, string>, options: { lint?: boolean } = {}) {
  const workspace = await tempTree(files);
  cleanups.push(workspace.remove);
  const client = await LspClient.start(workspace.root, { lint: true, ...options });
  cleanups.push(async () => expect(await client.stop()).toBe(0));
  return { workspace, client };
}

const brief = (d: { code?: unknown; severity?: unknown; range: { start: { line: number } } }) => [
  d.code,
  d.severity,
  d.range.start.line,
];

describe("lint in the language server", () => {
  test("warnings are published with codes and severity 2, and go as the text is fixed", async () => {
    const { workspace, client } = await start({
      "shop.svc": "package shop;\n\ninterface Orders {\n  getOrder(id: string): string;\n}\n",
    });
    const file = workspace.path("shop.svc");
    const first = await client.diagnostics(file);
    expect(first.map(brief)).toEqual([
      ["SVC4007", 2, 2],
      ["SVC4008", 2, 3],
      ["SVC4009", 2, 3],
    ]);
    expect(first[0]!.source).toBe("svcgen lint");
    expect(first[0]!.message).toBe(
      'interface "Orders" has no doc comment (///): say what it is for and who implements it',
    );

    await client.open(
      file,
      "package shop;\n\ninterface Orders {\n  getOrder(id: string): string;\n}\n",
    );
    const fixed =
      "package shop;\n\n/// Orders.\ninterface Orders {\n  /// One order.\n  @idempotent\n  getOrder(id: string): string;\n}\n";
    const version = await client.change(file, fixed);
    expect(await client.diagnosticsOfVersion(file, version)).toEqual([]);
    // Errors and warnings together, in source order.
    const broken = fixed.replace("id: string", "id: Nope").replace("getOrder", "get_order");
    const next = await client.change(file, broken);
    expect((await client.diagnosticsOfVersion(file, next)).map(brief)).toEqual([
      ["SVC4002", 2, 6],
      ["SVC2003", 1, 6],
    ]);
  });

  test("an edit of one file changes the unused-type warning of another", async () => {
    const { workspace, client } = await start({
      "types.svc": typesText,
      "user.svc": userText("line: shop.Line;"),
    });
    const types = workspace.path("types.svc");
    const user = workspace.path("user.svc");
    expect(await client.diagnostics(types)).toEqual([]);

    await client.open(user, userText("line: shop.Line;"));
    await client.change(user, userText("count: int32;"));
    // Line is used by nothing now, and user.svc's import is unused.
    const unused = await client.diagnostics(types, (d) => d.length > 0);
    expect(unused.map(brief)).toEqual([["SVC4011", 2, 4]]);
    expect((await client.diagnostics(user, (d) => d.length > 0)).map(brief)).toEqual([
      ["SVC4010", 2, 3],
    ]);

    await client.change(user, userText("line: shop.Line;"));
    expect(await client.diagnostics(types, (d) => d.length === 0)).toEqual([]);
  });

  test("svcgen.json applies, and a change of it (a watched file) is applied at once", async () => {
    const { workspace, client } = await start({
      "svcgen.json": JSON.stringify({ lint: { rules: { "service-doc": "error" } } }),
      "shop.svc": "package shop;\n\ninterface Orders {}\n",
    });
    const file = workspace.path("shop.svc");
    const config = workspace.path("svcgen.json");
    expect((await client.diagnostics(file)).map(brief)).toEqual([["SVC4007", 1, 2]]);

    await writeFile(config, JSON.stringify({ lint: { rules: { "service-doc": "off" } } }));
    await client.connection.sendNotification("workspace/didChangeWatchedFiles", {
      changes: [{ uri: uriOf(config), type: 2 }],
    });
    expect(await client.diagnostics(file, (d) => d.length === 0)).toEqual([]);

    // A broken config is logged and the defaults apply; the server keeps going.
    await writeFile(config, "{ not json");
    await client.connection.sendNotification("workspace/didChangeWatchedFiles", {
      changes: [{ uri: uriOf(config), type: 2 }],
    });
    expect((await client.diagnostics(file, (d) => d.length > 0)).map(brief)).toEqual([
      ["SVC4007", 2, 2],
    ]);
  });

  test("initializationOptions { lint: false } leaves only the checker's errors", async () => {
    const { workspace, client } = await start(
      { "shop.svc": "package shop;\n\ninterface Orders {}\nrecord r { x: Nope; }\n" },
      { lint: false },
    );
    const diagnostics = await client.diagnostics(workspace.path("shop.svc"));
    expect(diagnostics.map(brief)).toEqual([["SVC2003", 1, 3]]);
  });
});
