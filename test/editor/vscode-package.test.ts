/**
 * scripts/package-vscode.mjs: the .vsix holds the manifest VS Code reads, the extension's
 * files, and a bundled client that loads with nothing but `vscode` from outside.
 */
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { crc32, inflateRawSync } from "node:zlib";

const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const extensionFolder = path.join(repo, "editors", "vscode");
const manifest = JSON.parse(readFileSync(path.join(extensionFolder, "package.json"), "utf8"));

let work: string;
let entries: Map<string, Buffer>;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "svcgen-vsix-"));
  const out = path.join(work, "ext.vsix");
  const result = spawnSync(
    process.execPath,
    [path.join(repo, "scripts", "package-vscode.mjs"), "--out", out],
    { encoding: "utf8", timeout: 60_000 },
  );
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  entries = readZip(readFileSync(out));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The files of a zip archive, read from its central directory (APPNOTE.TXT, 4.3). */
function readZip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end).toBeGreaterThan(0);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const method = zip.readUInt16LE(at + 10);
    const checksum = zip.readUInt32LE(at + 16);
    const packedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    const localName = zip.readUInt16LE(localOffset + 26);
    const localExtra = zip.readUInt16LE(localOffset + 28);
    const start = localOffset + 30 + localName + localExtra;
    const packed = zip.subarray(start, start + packedSize);
    const data = method === 8 ? inflateRawSync(packed) : packed;
    expect(crc32(data) >>> 0).toBe(checksum);
    files.set(name, data);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

test("the archive has the vsix layout and the extension's files, byte for byte", () => {
  expect([...entries.keys()].sort()).toEqual(
    [
      "[Content_Types].xml",
      "extension.vsixmanifest",
      "extension/LICENSE",
      "extension/README.md",
      "extension/dist/extension.js",
      "extension/language-configuration.json",
      "extension/package.json",
      "extension/syntaxes/svc.tmLanguage.json",
    ].sort(),
  );
  for (const file of [
    "package.json",
    "language-configuration.json",
    "syntaxes/svc.tmLanguage.json",
  ]) {
    expect(
      entries.get(`extension/${file}`)!.equals(readFileSync(path.join(extensionFolder, file))),
    ).toBe(true);
  }
});

test("the vsix manifest names the extension as its package.json does", () => {
  const xml = entries.get("extension.vsixmanifest")!.toString("utf8");
  expect(xml).toContain(
    `<Identity Language="en-US" Id="${manifest.name}" Version="${manifest.version}" Publisher="${manifest.publisher}" />`,
  );
  expect(xml).toContain(
    `<Property Id="Microsoft.VisualStudio.Code.Engine" Value="${manifest.engines.vscode}" />`,
  );
  expect(xml).toContain(
    'Type="Microsoft.VisualStudio.Code.Manifest" Path="extension/package.json"',
  );
});

test("package.json contributes the svc language; every file it names is in the archive", () => {
  const [language] = manifest.contributes.languages;
  expect(language).toMatchObject({ id: "svc", extensions: [".svc"] });
  const [grammar] = manifest.contributes.grammars;
  expect(grammar).toMatchObject({ language: "svc", scopeName: "source.svc" });
  for (const named of [manifest.main, language.configuration, grammar.path]) {
    expect(entries.has(path.posix.join("extension", named))).toBe(true);
  }
});

/**
 * Run in a child process: loads a CommonJS bundle with a stand-in for the editor's `vscode`
 * API and prints its exports and every other module it asked for outside Node's own.
 */
const loadBundle = `
const Module = require("node:module");
const stub = new Proxy(function () {}, {
  get: (_, key) => (key === "__esModule" ? false : stub),
  apply: () => stub,
  construct: () => stub,
});
const original = Module._load;
const outside = [];
Module._load = function (request, ...rest) {
  if (request === "vscode") return stub;
  if (!Module.isBuiltin(request) && request !== process.argv[1]) outside.push(request);
  return original.call(this, request, ...rest);
};
const exported = require(process.argv[1]);
console.log(JSON.stringify({ exports: Object.keys(exported).sort(), outside }));
`;

test("the bundled client loads with only `vscode` provided, and exports activate", () => {
  const bundle = path.join(work, "extension.js");
  writeFileSync(bundle, entries.get("extension/dist/extension.js")!);
  const result = spawnSync(process.execPath, ["-e", loadBundle, bundle], {
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(result.stderr).toBe("");
  expect(JSON.parse(result.stdout)).toEqual({ exports: ["activate", "deactivate"], outside: [] });
});
