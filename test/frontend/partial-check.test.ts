/**
 * checkProgram with `only` (what the language server uses to re-check just what an edit
 * reaches) and the references it records (what go-to-definition and rename read).
 */
import { describe, expect, test } from "@jest/globals";
import { checkProgram } from "../../packages/svcgen/src/model/check.js";
import type { CheckInput } from "../../packages/svcgen/src/model/check.js";
import { parseSource } from "../../packages/svcgen/src/syntax/parse.js";

function input(path: string, text: string, importPaths: string[] = []): CheckInput {
  return { path, displayPath: path.slice(1), ast: parseSource(text).file, importPaths };
}

const common = input("/common.svc", "package common;\nrecord Money { cents: int64; }\n");
const orders = input(
  "/orders.svc",
  'package shop;\nimport "common.svc";\nrecord Order { total: common.Money; next?: Order; }\nrecord Bad { x: Nope; }\n',
  ["/common.svc"],
);
const again = input("/again.svc", "package common;\nenum Money { A }\nrecord Lost { y: Gone; }\n");

describe("checkProgram with only", () => {
  test("checks only the named files but applies program-wide rules to every input", () => {
    const all = checkProgram([common, orders, again]);
    const partial = checkProgram([common, orders, again], { only: new Set(["/orders.svc"]) });

    expect(partial.model.files.map((file) => file.path)).toEqual(["/orders.svc"]);
    expect(partial.problems.get("/orders.svc")).toEqual(all.problems.get("/orders.svc"));
    // again.svc is not checked: only its duplicate declaration (program-wide) is reported.
    expect(partial.problems.get("/again.svc")!.map((p) => p.code)).toEqual(["SVC2009"]);
    expect(all.problems.get("/again.svc")!.map((p) => p.code)).toEqual(["SVC2009", "SVC2003"]);
    expect(partial.programProblems.get("/again.svc")).toEqual(partial.problems.get("/again.svc"));
    expect(partial.programProblems.get("/orders.svc")).toEqual([]);
  });

  test("import cycles are program-wide: reported even for files not checked", () => {
    const a = input("/a.svc", 'package a;\nimport "b.svc";\n', ["/b.svc"]);
    const b = input("/b.svc", 'package b;\nimport "a.svc";\n', ["/a.svc"]);
    const partial = checkProgram([a, b], { only: new Set() });
    expect(partial.model.files).toEqual([]);
    expect(partial.problems.get("/a.svc")!.map((p) => p.code)).toEqual(["SVC2002"]);
  });
});

describe("references", () => {
  test("every resolved name, qualified or bare, with its span and target", () => {
    const result = checkProgram([common, orders]);
    expect(result.references.get("/orders.svc")).toEqual([
      {
        name: "common.Money",
        target: "common.Money",
        span: { line: 3, column: 23, endLine: 3, endColumn: 35 },
      },
      {
        name: "Order",
        target: "shop.Order",
        span: { line: 3, column: 44, endLine: 3, endColumn: 49 },
      },
    ]);
    expect(result.references.get("/common.svc")).toEqual([]);
  });

  test("thrown errors are references too; unresolved names are not", () => {
    const service = input(
      "/s.svc",
      "package s;\nerror Oops {}\ninterface S { run(): Missing throws Oops; }\n",
    );
    const result = checkProgram([service]);
    expect(result.references.get("/s.svc")!.map((r) => [r.name, r.target, r.span.column])).toEqual([
      ["Oops", "s.Oops", 37],
    ]);
  });
});
