/**
 * Suites that need a program from outside the repository (chromium, redis-server, ...):
 *
 *   const withChromium = outsideProgram("chromium", "/usr/bin/chromium", "bash scripts/install-chromium.sh");
 *   withChromium("browser page", () => { beforeAll(...); test(...); });
 *
 * When the program is there, the returned function is jest's `describe`. When it is missing,
 * a developer's `npm test` still passes: the suite is skipped and one line says how to install
 * the program. Under `CI=true` a missing program is a failure instead, so CI never goes green
 * by skipping what it was meant to run. Put the suite's hooks inside the describe block: hooks
 * at the top of the file run even when every test is skipped.
 */
import { accessSync, constants } from "node:fs";
import { describe } from "@jest/globals";

/** What `describe` and `describe.skip` have in common: `(name, fn)`, `.each`. */
export type Describe = typeof describe.skip;

/** Whether `path` is an executable file. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `true` under CI (the `CI` variable set to anything but "" / "false" / "0"). */
export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "false" && value !== "0";
}

/**
 * `describe` when `path` is executable; otherwise `describe.skip` after one line on stderr
 * naming `install` — or, under CI, throws so the test file fails with that message.
 */
export function outsideProgram(name: string, path: string, install: string): Describe {
  if (isExecutable(path)) return describe;
  const missing = `${name} is missing (${path}): install it with \`${install}\``;
  if (underCi()) throw new Error(`${missing}; CI=true, so suites that need it cannot be skipped`);
  process.stderr.write(`skipped: ${missing}\n`);
  return describe.skip;
}
