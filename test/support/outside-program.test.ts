import { afterEach, describe, expect, jest, test } from "@jest/globals";
import { outsideProgram, underCi } from "./outside-program.js";

const savedCi = process.env.CI;
afterEach(() => {
  if (savedCi === undefined) delete process.env.CI;
  else process.env.CI = savedCi;
  jest.restoreAllMocks();
});

function captureStderr(): string[] {
  const lines: string[] = [];
  jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

describe("outsideProgram", () => {
  test("a program that is there: the suite runs (describe), nothing printed", () => {
    const printed = captureStderr();
    expect(outsideProgram("node", process.execPath, "apt-get install nodejs")).toBe(describe);
    expect(printed).toEqual([]);
  });

  test("missing outside CI: the suite is skipped with one line naming the install command", () => {
    delete process.env.CI;
    const printed = captureStderr();
    const suite = outsideProgram(
      "chromium",
      "/nonexistent/chromium",
      "bash scripts/install-chromium.sh",
    );
    expect(suite).toBe(describe.skip);
    expect(printed).toEqual([
      "skipped: chromium is missing (/nonexistent/chromium): install it with `bash scripts/install-chromium.sh`\n",
    ]);
  });

  test("missing under CI=true: the test file fails with the same message", () => {
    process.env.CI = "true";
    const printed = captureStderr();
    expect(() =>
      outsideProgram("redis-server", "/nonexistent/redis-server", "apt-get install redis-server"),
    ).toThrow(
      "redis-server is missing (/nonexistent/redis-server): install it with `apt-get install redis-server`; CI=true",
    );
    expect(printed).toEqual([]);
  });

  test("a file that is not executable counts as missing", () => {
    delete process.env.CI;
    captureStderr();
    expect(outsideProgram("passwd", "/etc/passwd", "nothing")).toBe(describe.skip);
  });

  test("CI counts as set unless empty, false or 0", () => {
    expect(underCi({ CI: "true" })).toBe(true);
    expect(underCi({ CI: "1" })).toBe(true);
    expect(underCi({ CI: "false" })).toBe(false);
    expect(underCi({ CI: "0" })).toBe(false);
    expect(underCi({ CI: "" })).toBe(false);
    expect(underCi({})).toBe(false);
  });
});
