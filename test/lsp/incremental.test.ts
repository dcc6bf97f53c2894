/**
 * The language server re-checks only what an edit reaches; these edits are chosen to reach
 * files in every way one can (importers, files that do not import the edited one, duplicate
 * declarations, cycles, files appearing and disappearing on disk). After each, what the
 * server published for every file must equal what `svcgen check` says about the same texts.
 */
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { rm, writeFile } from "node:fs/promises";
import type { Diagnostic } from "vscode-languageserver-protocol/node";
import { loadProgram } from "svcgen";
import { tempTree } from "../frontend/helpers.js";
import { LspClient, uriOf } from "./client.js";

const initial: Record<string, string> = {
  "a.svc": "package p;\nrecord A { x: int32; }\n",
  "b.svc": 'package p;\nimport "a.svc";\nrecord B { a: A; }\n',
  "c.svc": 'package q;\nimport "b.svc";\nrecord C { b: p.B; }\n',
  "d.svc": "package p;\nrecord D { c: q.C; }\n",
};
/** Files an editor has open (changed through didChange); the others change on disk. */
const open = new Set(["b.svc", "c.svc", "d.svc"]);

let workspace: Awaited<ReturnType<typeof tempTree>>;
let client: LspClient;
const texts = new Map<string, string>();

beforeAll(async () => {
  workspace = await tempTree(initial);
  client = await LspClient.start(workspace.root);
  for (const [name, text] of Object.entries(initial)) {
    texts.set(name, text);
    if (open.has(name)) await client.open(workspace.path(name), text);
  }
});

afterAll(async () => {
  await client?.stop();
  await workspace?.remove();
});

/** Applies one edit the way an editor would report it; undefined deletes the file. */
async function edit(name: string, text: string | undefined): Promise<void> {
  const absolute = workspace.path(name);
  if (text === undefined) {
    texts.delete(name);
    await rm(absolute);
  } else {
    texts.set(name, text);
    await writeFile(absolute, text);
  }
  if (open.has(name) && text !== undefined) {
    await client.change(absolute, text);
  } else {
    const type = text === undefined ? 3 : initial[name] === undefined ? 1 : 2;
    await client.connection.sendNotification("workspace/didChangeWatchedFiles", {
      changes: [{ uri: uriOf(absolute), type }],
    });
  }
}

type Seen = [code: unknown, line: number, column: number, message: string];

/** What the server last published for each file of the workspace. */
async function published(): Promise<Map<string, Seen[]>> {
  // A request is answered after everything the edits triggered has been published.
  await client.request("textDocument/hover", {
    textDocument: { uri: uriOf(workspace.path("d.svc")) },
    position: { line: 0, character: 0 },
  });
  const latest = new Map<string, Seen[]>();
  for (const name of texts.keys()) {
    const uri = uriOf(workspace.path(name));
    const params = client.published.filter((p) => p.uri === uri).at(-1);
    latest.set(name, (params?.diagnostics ?? []).map(seen));
  }
  return latest;
}

function seen(d: Diagnostic): Seen {
  const message = typeof d.message === "string" ? d.message : d.message.value;
  return [d.code, d.range.start.line + 1, d.range.start.character + 1, message];
}

/** What `svcgen check` reports for the files on disk, in the server's order (by path). */
async function expected(): Promise<Map<string, Seen[]>> {
  const names = [...texts.keys()].sort();
  const program = await loadProgram(names.map((name) => workspace.path(name)));
  const result = new Map<string, Seen[]>(names.map((name) => [name, []]));
  const prefix = `${workspace.root}/`;
  for (const d of program.diagnostics) {
    const name = d.file.slice(prefix.length);
    result.get(name)!.push([d.code, d.line, d.column, d.message.replaceAll(prefix, "")]);
  }
  return result;
}

const steps: [what: string, file: string, text: string | undefined][] = [
  ["a declaration renamed: its importer's reference breaks", "a.svc", "package p;\nrecord A2 {}\n"],
  ["renamed back", "a.svc", "package p;\nrecord A { x: int32; }\n"],
  [
    "a duplicate in an earlier file hides the later one from a file importing neither",
    "a.svc",
    "package p;\nrecord A {}\nrecord B {}\n",
  ],
  ["the duplicate removed", "a.svc", "package p;\nrecord A {}\n"],
  [
    "an import added: a name not imported resolves",
    "d.svc",
    'package p;\nimport "c.svc";\nrecord D { c: q.C; }\n',
  ],
  ["a package renamed", "c.svc", 'package r;\nimport "b.svc";\nrecord C { b: p.B; }\n'],
  [
    "an import cycle",
    "b.svc",
    'package p;\nimport "a.svc";\nimport "d.svc";\nrecord B { a: A; }\n',
  ],
  ["a file appears on disk", "e.svc", "package r;\nrecord C {}\n"],
  ["an imported file is deleted", "a.svc", undefined],
  [
    "a body edit changes nothing elsewhere",
    "c.svc",
    'package r;\nimport "b.svc";\nrecord C { b: p.B; n: int64; }\n',
  ],
  [
    "a syntax error",
    "b.svc",
    'package p;\nimport "a.svc";\nrecord B { a: ; }\nrecord X { y: Y; }\n',
  ],
];

test("initially, the server agrees with svcgen check", async () => {
  expect(await published()).toEqual(await expected());
});

test.each(steps)(
  "after an edit (%s), the server agrees with svcgen check",
  async (_, file, text) => {
    await edit(file, text);
    const want = await expected();
    // Watched-file events are processed on the next turn; wait for them to settle.
    let got = await published();
    for (let attempt = 0; attempt < 20 && JSON.stringify(got) !== JSON.stringify(want); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      got = await published();
    }
    expect(got).toEqual(want);
  },
);
