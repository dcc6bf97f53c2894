import { afterEach, describe, expect, test } from "@jest/globals";
import path from "node:path";
import { loadProgram } from "svcgen";
import type { CallbackDecl, EnumDecl, ErrorDecl, InterfaceDecl, RecordDecl } from "svcgen";
import { generateFiles } from "../../packages/svcgen/src/generate/index.js";
import { tempTree } from "./helpers.js";

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function tree(files: Record<string, string>) {
  const made = await tempTree(files);
  cleanup = made.remove;
  return made;
}

describe("names and imports", () => {
  test("declarations get package-qualified names and references resolve to them", async () => {
    const t = await tree({
      "shared/money.svc": "package billing.money;\nrecord Money { cents: int64; }\n",
      "api/orders.svc": [
        "package shop;",
        'import "../shared/money.svc";',
        "record Order { total: billing.money.Money; lines: Line[]; }",
        "record Line { price?: billing.money.Money; }",
      ].join("\n"),
    });
    const program = await loadProgram([t.path("api/orders.svc")]);
    expect(program.diagnostics).toEqual([]);
    const model = program.model!;
    expect([...model.declarations.keys()].sort()).toEqual([
      "billing.money.Money",
      "shop.Line",
      "shop.Order",
    ]);
    const order = model.declarations.get("shop.Order") as RecordDecl;
    expect(order.package).toBe("shop");
    expect(order.fields[0]!.type).toEqual({
      kind: "named",
      target: "billing.money.Money",
      targetKind: "record",
    });
    expect(order.fields[1]!.type).toEqual({
      kind: "list",
      element: { kind: "named", target: "shop.Line", targetKind: "record" },
    });
    // Files sorted by absolute path; imports as absolute paths; display paths as reached.
    expect(model.files.map((f) => f.path)).toEqual([
      t.path("api/orders.svc"),
      t.path("shared/money.svc"),
    ]);
    expect(model.files[0]!.imports).toEqual([t.path("shared/money.svc")]);
    expect(model.files[1]!.displayPath).toBe(t.path("shared/money.svc"));
    expect(program.root).toBe(t.root);
  });

  test("a file without package has unprefixed names", async () => {
    const t = await tree({ "a.svc": "enum E { A }\nrecord R { e: E; }" });
    const program = await loadProgram([t.path("a.svc")]);
    expect([...program.model!.declarations.keys()]).toEqual(["E", "R"]);
    expect(program.model!.files[0]!.package).toBe("");
  });

  test("a declaration of an unimported file is not visible, and the message says so", async () => {
    const t = await tree({
      "a.svc": "package p;\nrecord A { value: int32; }",
      "b.svc": "package p;\nrecord B { a: A; }",
    });
    const program = await loadProgram([t.root]);
    expect(program.model).toBeUndefined();
    expect(program.diagnostics).toMatchObject([
      {
        file: path.join(t.root, "b.svc"),
        line: 2,
        column: 15,
        code: "SVC2017",
        message: `"A" is declared in ${path.join(t.root, "a.svc")}, which this file does not import`,
      },
    ]);
  });

  test("duplicate names across the files of one package: the second is reported", async () => {
    const t = await tree({
      "a.svc": "package p;\nrecord Same {}",
      "b.svc": 'package p;\nimport "a.svc";\nenum Same { X }',
    });
    const program = await loadProgram([t.path("a.svc"), t.path("b.svc")]);
    expect(
      program.diagnostics.map((d) => [path.basename(d.file), d.line, d.column, d.code]),
    ).toEqual([["b.svc", 3, 6, "SVC2009"]]);
  });

  test("an import cycle is reported once, naming the cycle", async () => {
    const t = await tree({
      "a.svc": 'import "sub/b.svc";\nrecord A {}',
      "sub/b.svc": 'import "c.svc";\nrecord B {}',
      "sub/c.svc": 'import "../a.svc";\nrecord C {}',
    });
    const program = await loadProgram(["a.svc", "sub/b.svc"].map(t.path));
    expect(program.diagnostics).toHaveLength(1);
    expect(program.diagnostics[0]).toMatchObject({ code: "SVC2002", line: 1, column: 8 });
    expect(program.diagnostics[0]!.message).toBe(
      `import cycle: ${t.path("a.svc")} → ${t.path("sub/b.svc")} → ${t.path("sub/c.svc")} → ${t.path("a.svc")}`,
    );
  });

  test("folders expand to every .svc below them, sorted, and display paths keep the given prefix", async () => {
    const t = await tree({
      "idl/z.svc": "record Z {}",
      "idl/a/b.svc": "record B {}",
      "idl/notes.txt": "not idl",
    });
    const program = await loadProgram([t.path("idl")]);
    expect([...program.sources.keys()]).toEqual([t.path("idl/a/b.svc"), t.path("idl/z.svc")]);
    expect(program.root).toBe(t.root + path.sep + "idl");
  });
});

describe("what the model keeps", () => {
  test("doc comments, deprecation, status, idempotent and optional flags", async () => {
    const t = await tree({
      "jobs.svc": [
        "/// The jobs API.",
        "/// Second line.",
        "package jobs;",
        "",
        "/// States.",
        "enum State {",
        "  /// Waiting.",
        "  Queued,",
        '  @deprecated("use Queued") Waiting,',
        "}",
        "",
        "@deprecated",
        "error Invalid {}",
        "",
        "/// Missing.",
        "@status(404)",
        "error NotFound {\n  /// The key.\n  id: string;\n}",
        "",
        "interface Jobs {",
        "  /// Gets one.",
        "  @idempotent",
        "  get(\n    /// Which one.\n    id: string,\n    verbose?: bool,\n  ): State throws NotFound, Invalid;",
        "  oneway poke();",
        "}",
      ].join("\n"),
    });
    const program = await loadProgram([t.path("jobs.svc")]);
    expect(program.diagnostics).toEqual([]);
    const model = program.model!;
    expect(model.files[0]!.doc).toBe("The jobs API.\nSecond line.");
    const state = model.declarations.get("jobs.State") as EnumDecl;
    expect(state.doc).toBe("States.");
    expect(state.members).toMatchObject([
      { name: "Queued", doc: "Waiting." },
      { name: "Waiting", deprecated: "use Queued" },
    ]);
    expect(state.span).toEqual({
      file: t.path("jobs.svc"),
      line: 6,
      column: 6,
      endLine: 6,
      endColumn: 11,
    });
    const invalid = model.declarations.get("jobs.Invalid") as ErrorDecl;
    expect(invalid.deprecated).toBe(true);
    expect(invalid.status).toBe(400);
    const notFound = model.declarations.get("jobs.NotFound") as ErrorDecl;
    expect(notFound.status).toBe(404);
    expect(notFound.doc).toBe("Missing.");
    expect(notFound.fields[0]!.doc).toBe("The key.");
    const jobs = model.declarations.get("jobs.Jobs") as InterfaceDecl;
    const [get, poke] = jobs.methods;
    expect(get).toMatchObject({
      name: "get",
      doc: "Gets one.",
      idempotent: true,
      oneway: false,
      returns: { kind: "named", target: "jobs.State", targetKind: "enum" },
      throws: ["jobs.NotFound", "jobs.Invalid"],
    });
    expect(get!.params).toMatchObject([
      {
        name: "id",
        optional: false,
        doc: "Which one.",
        type: { kind: "primitive", name: "string" },
      },
      { name: "verbose", optional: true },
    ]);
    expect(poke).toMatchObject({ name: "poke", oneway: true, idempotent: false, params: [] });
    expect(poke!.returns).toBeUndefined();
  });

  test("@resubscribe and @conflate reach the model; methods without them carry neither", async () => {
    const t = await tree({
      "prices.svc": [
        "package prices;",
        "callback Ticks {",
        '  @conflate("symbol")',
        "  oneway price(symbol: string, value: float64);",
        "  oneway closed(symbol: string);",
        "}",
        "interface Market {",
        "  @resubscribe",
        "  watch(symbol: string, ticks: Ticks);",
        "  unwatch(ticks: Ticks);",
        "}",
      ].join("\n"),
    });
    const program = await loadProgram([t.path("prices.svc")]);
    expect(program.diagnostics).toEqual([]);
    const ticks = program.model!.declarations.get("prices.Ticks") as CallbackDecl;
    expect(ticks.methods[0]).toMatchObject({ name: "price", conflate: "symbol" });
    expect(ticks.methods[1]!.conflate).toBeUndefined();
    const market = program.model!.declarations.get("prices.Market") as InterfaceDecl;
    expect(market.methods[0]).toMatchObject({ name: "watch", resubscribe: true });
    expect(market.methods[1]!.resubscribe).toBeUndefined();
  });

  test("@rateLimit reaches the model as written; it is not part of the contract hash", async () => {
    const source = (annotation: string) =>
      [
        "package search;",
        "interface Search {",
        annotation,
        "  query(text: string): string;",
        "}",
      ].join("\n");
    const limited = await tree({ "a.svc": source('  @rateLimit(" 20/s, burst 40 ")') });
    const program = await loadProgram([limited.path("a.svc")]);
    expect(program.diagnostics).toEqual([]);
    const search = program.model!.declarations.get("search.Search") as InterfaceDecl;
    expect(search.methods[0]!.rateLimit).toBe("20/s, burst 40");
    const [withLimit] = await generateFiles(program.model!, { root: program.root });
    await cleanup?.();

    const plain = await tree({ "a.svc": source("") });
    const other = await loadProgram([plain.path("a.svc")]);
    const [withoutLimit] = await generateFiles(other.model!, { root: other.root });
    const hash = (text: string) => /contractHash: "([0-9a-f]{64})"/.exec(text)?.[1];
    expect(withLimit!.text).toContain('rateLimit: "20/s, burst 40",');
    expect(hash(withLimit!.text)).toBeDefined();
    expect(hash(withLimit!.text)).toBe(hash(withoutLimit!.text));
  });

  test("a /// after code on its line documents nothing; the run right before an element does", async () => {
    const t = await tree({
      "d.svc": [
        "record A {",
        "  x: int32; /// trailing, not a doc",
        "  y: int32;",
        "  /// Old paragraph.",
        "",
        "  /// The z field.",
        "  ///",
        "  ///   indented detail",
        "  z: int32;",
        "}",
      ].join("\n"),
    });
    const program = await loadProgram([t.path("d.svc")]);
    const a = program.model!.declarations.get("A") as RecordDecl;
    expect(a.fields.map((f) => f.doc)).toEqual([
      undefined,
      undefined,
      "The z field.\n\n  indented detail",
    ]);
  });

  test("keywords name members: `oneway oneway()` is a oneway method, `oneway()` is not", async () => {
    const t = await tree({
      "k.svc": [
        "callback C { oneway oneway(throws: string); }",
        "interface I { oneway(): string; }",
        "enum E { map, void }",
      ].join("\n"),
    });
    const program = await loadProgram([t.path("k.svc")]);
    expect(program.diagnostics).toEqual([]);
    const c = program.model!.declarations.get("C") as CallbackDecl;
    expect(c.methods.map((m) => [m.name, m.oneway, m.params.map((p) => p.name)])).toEqual([
      ["oneway", true, ["throws"]],
    ]);
    const i = program.model!.declarations.get("I") as InterfaceDecl;
    expect(i.methods.map((m) => [m.name, m.oneway, m.returns])).toEqual([
      ["oneway", false, { kind: "primitive", name: "string" }],
    ]);
    const e = program.model!.declarations.get("E") as EnumDecl;
    expect(e.members.map((m) => m.name)).toEqual(["map", "void"]);
  });

  test("maps and lists nest as written", async () => {
    const t = await tree({ "m.svc": "record M { m: map<string, int32[]>[]; }" });
    const program = await loadProgram([t.path("m.svc")]);
    const m = program.model!.declarations.get("M") as RecordDecl;
    expect(m.fields[0]!.type).toEqual({
      kind: "list",
      element: {
        kind: "map",
        value: { kind: "list", element: { kind: "primitive", name: "int32" } },
      },
    });
  });

  test("a callback is allowed as an interface method's parameter and resolves to it", async () => {
    const t = await tree({
      "c.svc":
        "callback Events { oneway tick(n: int32); }\ninterface S { watch(events?: Events): void; }",
    });
    const program = await loadProgram([t.path("c.svc")]);
    const s = program.model!.declarations.get("S") as InterfaceDecl;
    expect(s.methods[0]!.params[0]).toMatchObject({
      optional: true,
      type: { kind: "named", target: "Events", targetKind: "callback" },
    });
  });
});
