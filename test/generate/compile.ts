/**
 * Type-checks TypeScript files with the compiler API, strict, the way a user of the
 * generated code compiles it; `@svcgen/runtime` maps to the runtime's sources.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export type Resolution = "NodeNext" | "Bundler";

/** Every diagnostic of a strict program over `files`, formatted one per line. */
export function typeCheck(files: readonly string[], resolution: Resolution): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    module: resolution === "NodeNext" ? ts.ModuleKind.NodeNext : ts.ModuleKind.ESNext,
    moduleResolution:
      resolution === "NodeNext"
        ? ts.ModuleResolutionKind.NodeNext
        : ts.ModuleResolutionKind.Bundler,
    types: ["node"],
    typeRoots: [path.join(REPO, "node_modules/@types")],
    paths: { "@svcgen/runtime": [path.join(REPO, "packages/runtime/src/index.ts")] },
  };
  const program = ts.createProgram([...files], options);
  // Only the given files are checked: the runtime has its own build, and checking all of
  // it again would make this the slowest test.
  const checked = files.map((file) => program.getSourceFile(file));
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...checked.flatMap((source) =>
      source === undefined
        ? []
        : [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)],
    ),
  ];
  const missing = files.filter((_, i) => checked[i] === undefined);
  return [
    ...missing.map((file) => `${file}: not part of the program`),
    ...diagnostics.map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      if (d.file === undefined || d.start === undefined) return message;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${path.relative(REPO, d.file.fileName)}:${line + 1}:${character + 1}: ${message}`;
    }),
  ];
}
