/**
 * `svcgen lsp` over stdio with a real LSP client: diagnostics as the text changes, hover,
 * definition, references, completion and rename across files.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import type {
  CompletionItem,
  Hover,
  Location,
  Position,
  TextEdit,
  WorkspaceEdit,
} from "vscode-languageserver-protocol/node";
import { tempTree } from "../frontend/helpers.js";
import { LspClient, uriOf } from "./client.js";

const moneyText = `/// Shared money types.
package shop.common;

/// An amount in minor units.
record Money {
  currency: string;
  cents: int64;
}

@status(404)
error NotFound { key: string; }
`;

const ordersText = `package shop.orders;
import "common/money.svc";

/// One order.
record Order {
  /// What it costs.
  total: shop.common.Money;
  lines: Line[];
}

record Line { price?: shop.common.Money; }

interface Orders {
  /// Finds an order.
  @idempotent
  get(id: string, verbose?: bool): Order throws shop.common.NotFound;
}
`;

/** The position of the `occurrence`-th `needle` in `text`, plus `shift` characters. */
function positionOf(text: string, needle: string, occurrence = 1, shift = 0): Position {
  let offset = -1;
  for (let i = 0; i < occurrence; i++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset < 0) throw new Error(`"${needle}" #${occurrence} not in text`);
  }
  offset += shift;
  const before = text.slice(0, offset).split("\n");
  return { line: before.length - 1, character: before.at(-1)!.length };
}

/** Applies LSP edits to a text (edits do not overlap). */
function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = text.split("\n");
  const offset = (p: Position) =>
    lines.slice(0, p.line).reduce((n, line) => n + line.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let result = text;
  for (const edit of sorted) {
    result =
      result.slice(0, offset(edit.range.start)) +
      edit.newText +
      result.slice(offset(edit.range.end));
  }
  return result;
}

let workspace: Awaited<ReturnType<typeof tempTree>>;
let client: LspClient;
let money: string;
let orders: string;

beforeAll(async () => {
  workspace = await tempTree({
    "common/money.svc": moneyText,
    "orders.svc": ordersText,
    "broken/bad.svc": "package bad;\nrecord R { x: Nope; }\n",
  });
  money = workspace.path("common/money.svc");
  orders = workspace.path("orders.svc");
  client = await LspClient.start(workspace.root);
});

afterAll(async () => {
  const code = await client?.stop();
  await workspace?.remove();
  expect(code).toBe(0);
});

const at = (absolute: string, position: Position) => ({
  textDocument: { uri: uriOf(absolute) },
  position,
});

describe("diagnostics", () => {
  test("files of the workspace that no editor has open are checked too", async () => {
    const diagnostics = await client.diagnostics(workspace.path("broken/bad.svc"));
    expect(diagnostics).toEqual([
      {
        range: { start: { line: 1, character: 14 }, end: { line: 1, character: 18 } },
        severity: 1,
        code: "SVC2003",
        source: "svcgen",
        message: 'unknown type "Nope"',
      },
    ]);
  });

  test("as you type: the checker's errors, with recovery after a syntax error", async () => {
    await client.open(orders, ordersText);
    expect(await client.diagnosticsOfVersion(orders, 1)).toEqual([]);

    const typo = ordersText.replace("total: shop.common.Money", "total: shop.common.Mony");
    const version = await client.change(orders, typo);
    const diagnostics = await client.diagnosticsOfVersion(orders, version);
    expect(diagnostics.map((d) => [d.code, d.message, d.range.start])).toEqual([
      [
        "SVC2003",
        'unknown type "shop.common.Mony"; did you mean "shop.common.Money"?',
        positionOf(typo, "shop.common.Mony"),
      ],
    ]);

    const broken = `${ordersText}record A { x: ; }\nrecord B { y: Nope; }\n`;
    const next = await client.change(orders, broken);
    const codes = (await client.diagnosticsOfVersion(orders, next)).map((d) => d.code);
    expect(codes).toEqual(["SVC1001", "SVC2003"]);

    const clean = await client.change(orders, ordersText);
    expect(await client.diagnosticsOfVersion(orders, clean)).toEqual([]);
  });

  test("incremental changes (ranges, as VS Code sends them) are applied to the text", async () => {
    const file = workspace.path("ranged.svc");
    const text = "package shop.ranged;\nrecord R { x: int32; }\n";
    await client.open(file, text);
    await client.diagnosticsOfVersion(file, 1);
    // Replace "int32" (line 1, characters 14–19) with "Nope".
    await client.connection.sendNotification("textDocument/didChange", {
      textDocument: { uri: uriOf(file), version: 2 },
      contentChanges: [
        {
          range: { start: { line: 1, character: 14 }, end: { line: 1, character: 19 } },
          text: "Nope",
        },
      ],
    });
    const diagnostics = await client.diagnosticsOfVersion(file, 2);
    expect(diagnostics.map((d) => [d.code, d.message, d.range])).toEqual([
      [
        "SVC2003",
        'unknown type "Nope"',
        { start: { line: 1, character: 14 }, end: { line: 1, character: 18 } },
      ],
    ]);
    await client.close(file);
  });

  test("open documents override the disk, for the file and for its importers", async () => {
    await client.open(money, moneyText.replace("record Money", "record Cash"));
    const diagnostics = await client.diagnostics(orders, (d) => d.length > 0);
    expect(diagnostics.map((d) => [d.code, d.range.start.line])).toEqual([
      ["SVC2003", 6],
      ["SVC2003", 10],
    ]);
    // Closing the unsaved editor reverts to the file on disk.
    await client.close(money);
    expect(await client.diagnostics(orders, (d) => d.length === 0)).toEqual([]);
  });

  test("imports resolve against open documents that are not on disk", async () => {
    const extra = workspace.path("extra.svc");
    const importing = `package shop.orders;\nimport "extra.svc";\nrecord Uses { e: shop.extra.E; }\n`;
    const uses = workspace.path("uses.svc");
    await client.open(uses, importing);
    const missing = await client.diagnostics(uses, (d) => d.length > 0);
    expect(missing.map((d) => d.code)).toEqual(["SVC2001", "SVC2003"]);

    await client.open(extra, "package shop.extra;\nenum E { A }\n");
    expect(await client.diagnostics(uses, (d) => d.length === 0)).toEqual([]);
    await client.close(uses);
    await client.close(extra);
  });
});

describe("hover", () => {
  test("a reference shows the declaration's kind, qualified name, doc and file", async () => {
    const hover = await client.request<Hover>(
      "textDocument/hover",
      at(orders, positionOf(ordersText, "Money", 1, 2)),
    );
    expect(hover.contents).toEqual({
      kind: "markdown",
      value:
        "```svc\nrecord shop.common.Money\n```\n\nAn amount in minor units.\n\nDeclared in `common/money.svc`.",
    });
  });

  test("a field shows its resolved type and doc; a method its signature", async () => {
    const field = await client.request<Hover>(
      "textDocument/hover",
      at(orders, positionOf(ordersText, "total")),
    );
    expect(field.contents).toEqual({
      kind: "markdown",
      value: "```svc\n(field) Order.total: shop.common.Money\n```\n\nWhat it costs.",
    });
    const method = await client.request<Hover>(
      "textDocument/hover",
      at(orders, positionOf(ordersText, "get(")),
    );
    expect((method.contents as { value: string }).value).toBe(
      "```svc\n(method) Orders.@idempotent get(id: string, verbose?: bool): shop.orders.Order " +
        "throws shop.common.NotFound\n```\n\nFinds an order.",
    );
  });

  test("an error declaration shows its status; nothing to say about a primitive", async () => {
    const hover = await client.request<Hover>(
      "textDocument/hover",
      at(money, positionOf(moneyText, "NotFound")),
    );
    expect((hover.contents as { value: string }).value).toBe(
      "```svc\nerror shop.common.NotFound\n@status(404)\n```",
    );
    const none = await client.request<Hover | null>(
      "textDocument/hover",
      at(orders, positionOf(ordersText, "string")),
    );
    expect(none).toBeNull();
  });
});

describe("definition and references", () => {
  test("a qualified reference leads to the declaration in the imported file", async () => {
    const location = await client.request<Location>(
      "textDocument/definition",
      at(orders, positionOf(ordersText, "shop.common.Money", 2, 3)),
    );
    expect(location).toEqual({
      uri: uriOf(money),
      range: {
        start: positionOf(moneyText, "Money {"),
        end: positionOf(moneyText, "Money {", 1, 5),
      },
    });
  });

  test("an import leads to the imported file; a bare name to its own file", async () => {
    const imported = await client.request<Location>(
      "textDocument/definition",
      at(orders, positionOf(ordersText, "common/money.svc")),
    );
    expect(imported.uri).toBe(uriOf(money));
    const local = await client.request<Location>(
      "textDocument/definition",
      at(orders, positionOf(ordersText, "Line[]")),
    );
    expect(local).toEqual({
      uri: uriOf(orders),
      range: {
        start: positionOf(ordersText, "Line {"),
        end: positionOf(ordersText, "Line {", 1, 4),
      },
    });
  });

  test("references of a declaration, from its own file, include every importer's", async () => {
    const found = await client.request<Location[]>("textDocument/references", {
      ...at(money, positionOf(moneyText, "Money")),
      context: { includeDeclaration: true },
    });
    expect(found.map((l) => [l.uri, l.range.start])).toEqual([
      [uriOf(money), positionOf(moneyText, "Money {")],
      [uriOf(orders), positionOf(ordersText, "Money", 1)],
      [uriOf(orders), positionOf(ordersText, "Money", 2)],
    ]);
  });
});

describe("completion", () => {
  async function complete(text: string, cursor: Position): Promise<CompletionItem[]> {
    const scratch = workspace.path("scratch.svc");
    await client.open(scratch, text);
    try {
      return await client.request<CompletionItem[]>("textDocument/completion", at(scratch, cursor));
    } finally {
      await client.close(scratch);
    }
  }
  const head = `package shop.orders;\nimport "common/money.svc";\nrecord Local { a: int32; }\ninterface Api {}\n`;

  test("in a type position: primitives, own declarations bare, imported ones qualified", async () => {
    const text = `${head}record R { x: }\n`;
    const items = await complete(text, positionOf(text, "x: ", 1, 3));
    const labels = items.map((item) => item.label);
    expect(labels).toEqual(
      expect.arrayContaining(["bool", "int64", "timestamp", "Local", "shop.common.Money"]),
    );
    // Interfaces and errors are not value types.
    expect(labels).not.toContain("Api");
    expect(labels).not.toContain("shop.common.NotFound");
    expect(items.find((item) => item.label === "shop.common.Money")!.detail).toBe(
      "record shop.common.Money",
    );
  });

  test("a partly typed qualified name is replaced whole", async () => {
    const text = `${head}record R { x: shop.common.Mo }\n`;
    const cursor = positionOf(text, "shop.common.Mo", 1, 14);
    const items = await complete(text, cursor);
    expect(items.map((item) => item.label)).toEqual(["shop.common.Money"]);
    expect(items[0]!.textEdit).toEqual({
      range: { start: positionOf(text, "shop.common.Mo"), end: cursor },
      newText: "shop.common.Money",
    });
  });

  test("after throws: errors only; after @: the annotations", async () => {
    const text = `${head}interface S { f(): int32 throws ; }\n`;
    const thrown = await complete(text, positionOf(text, "throws ", 1, 7));
    expect(thrown.map((item) => item.label)).toEqual(["shop.common.NotFound"]);
    const annotated = `${head}interface S { @ f(); }\n`;
    const annotations = await complete(annotated, positionOf(annotated, "@", 1, 1));
    expect(annotations.map((item) => item.label)).toEqual(["deprecated", "status", "idempotent"]);
  });
});

describe("rename", () => {
  test("renames the declaration and every reference, qualified ones by their last segment", async () => {
    const params = { ...at(orders, positionOf(ordersText, "Money", 2, 1)), newName: "Cash" };
    const prepared = await client.request<{ placeholder: string }>(
      "textDocument/prepareRename",
      params,
    );
    expect(prepared.placeholder).toBe("Money");
    const edit = await client.request<WorkspaceEdit>("textDocument/rename", params);
    expect(Object.keys(edit.changes!).sort()).toEqual([uriOf(money), uriOf(orders)].sort());
    expect(applyEdits(moneyText, edit.changes![uriOf(money)]!)).toBe(
      moneyText.replace("record Money", "record Cash"),
    );
    expect(applyEdits(ordersText, edit.changes![uriOf(orders)]!)).toBe(
      ordersText.replaceAll("shop.common.Money", "shop.common.Cash"),
    );
  });

  test("refuses keywords, clashes and things that are not declarations", async () => {
    const params = at(money, positionOf(moneyText, "Money"));
    await expect(
      client.request("textDocument/rename", { ...params, newName: "record" }),
    ).rejects.toThrow('"record" is a keyword');
    await expect(
      client.request("textDocument/rename", { ...params, newName: "NotFound" }),
    ).rejects.toThrow('"NotFound" is already declared in common/money.svc');
    await expect(
      client.request("textDocument/prepareRename", at(money, positionOf(moneyText, "cents"))),
    ).rejects.toThrow("can be renamed");
  });
});

describe("robustness", () => {
  test("hostile text and positions anywhere get answers, never a dead server", async () => {
    const hostile = workspace.path("hostile.svc");
    const text = `${"[".repeat(5000)}\u0000"\n@@@ record { x: map<map<; /* `;
    await client.open(hostile, text);
    expect((await client.diagnosticsOfVersion(hostile, 1)).length).toBeGreaterThan(0);
    for (const position of [
      { line: 0, character: 3 },
      { line: 1, character: 10 },
      { line: 9, character: 99 },
    ]) {
      await client.request("textDocument/hover", at(hostile, position));
      await client.request("textDocument/definition", at(hostile, position));
      await client.request("textDocument/completion", at(hostile, position));
    }
    await client.close(hostile);
    const hover = await client.request<Hover>(
      "textDocument/hover",
      at(orders, positionOf(ordersText, "total")),
    );
    expect(hover).not.toBeNull();
    expect(client.stderr).toBe("");
  });
});

describe("formatting", () => {
  test("one edit gives the layout of svcgen fmt; nothing for formatted or broken text", async () => {
    const { formatSource } = await import("svcgen");
    const messy =
      "package  shop.fmt ;\n// kept\nrecord   P {x:int32;   /// y doc\n y ?: string; }\n";
    const file = workspace.path("messy.svc");
    await client.open(file, messy);
    const format = (absolute: string) =>
      client.request<TextEdit[]>("textDocument/formatting", {
        textDocument: { uri: uriOf(absolute) },
        options: { tabSize: 2, insertSpaces: true },
      });
    const edits = await format(file);
    expect(edits).toHaveLength(1);
    expect(applyEdits(messy, edits)).toBe(formatSource(messy));
    expect(applyEdits(messy, edits)).toContain("// kept");

    const version = await client.change(file, applyEdits(messy, edits));
    await client.diagnosticsOfVersion(file, version);
    expect(await format(file)).toEqual([]);
    await client.change(file, "record {");
    expect(await format(file)).toEqual([]);
    await client.close(file);
  });
});
