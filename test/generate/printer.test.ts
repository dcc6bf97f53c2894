import { describe, expect, test } from "@jest/globals";
import { CodePrinter } from "../../packages/svcgen/src/generate/printer.js";

describe("CodePrinter", () => {
  test("prints requested imports once, sorted, packages before relative modules", () => {
    const p = new CodePrinter();
    p.line(`const a = ${p.import("./b.js", "B")};`);
    p.import("@svcgen/runtime", "t");
    p.import("@svcgen/runtime", "Connection", { typeOnly: true });
    p.import("@svcgen/runtime", "RpcError");
    p.import("@svcgen/runtime", "t");
    p.import("../a.js", "A", { typeOnly: true });
    expect(p.print(["// header"])).toBe(
      [
        "// header",
        'import { RpcError, t } from "@svcgen/runtime";',
        'import type { Connection } from "@svcgen/runtime";',
        'import type { A } from "../a.js";',
        'import { B } from "./b.js";',
        "",
        "const a = B;",
        "",
      ].join("\n"),
    );
  });

  test("a symbol used as a value anywhere is imported as a value", () => {
    const p = new CodePrinter();
    p.import("m", "X", { typeOnly: true });
    p.import("m", "X");
    p.import("m", "X", { typeOnly: true });
    expect(p.print([])).toBe('import { X } from "m";\n\n');
  });

  test("aliases imports that clash with declarations, other imports or used globals", () => {
    const p = new CodePrinter(new Set(["Date"]));
    p.reserve("Money");
    expect(p.import("./common.js", "Money", { aliasHint: "common_Money" })).toBe("common_Money");
    expect(p.import("./other.js", "Money", { aliasHint: "common_Money" })).toBe("common_Money2");
    expect(p.import("./time.js", "Date")).toBe("Date_");
    expect(p.import("./common.js", "Money")).toBe("common_Money");
  });

  test("indents blocks and writes JSDoc with @deprecated, escaping */", () => {
    const p = new CodePrinter();
    p.block("interface A {", () => {
      p.jsdoc("One line.");
      p.line("a: string;");
      p.jsdoc("First.\n\nEnds */ here.", "use b");
      p.line("b: string;");
      p.jsdoc(undefined, true);
      p.line("c: string;");
      p.jsdoc(undefined);
    });
    expect(p.print([])).toBe(
      [
        "interface A {",
        "  /** One line. */",
        "  a: string;",
        "  /**",
        "   * First.",
        "   *",
        "   * Ends *\\/ here.",
        "   * @deprecated use b",
        "   */",
        "  b: string;",
        "  /** @deprecated */",
        "  c: string;",
        "}",
        "",
      ].join("\n"),
    );
  });
});
