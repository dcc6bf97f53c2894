#!/usr/bin/env node
/**
 * The `svcgen` command line: commander wiring only; the work is in ./commands. Each command
 * is imported when it runs: `svcgen check` does not load the language server, the formatter
 * or the generators.
 */
import { readFileSync, realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import type { CommandOutput } from "./commands/check.js";
import { UsageError } from "./usage-error.js";

const processOutput: CommandOutput = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

function packageVersion(): string {
  const manifest = JSON.parse(
    readFileSync(new URL("../package.json", import.meta.url), "utf8"),
  ) as { version: string };
  return manifest.version;
}

function formatOption(): Option {
  return new Option("--format <format>", "how to print diagnostics")
    .choices(["text", "json"])
    .default("text");
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a whole number");
  return Number(value);
}

/** Runs the CLI with `argv` (the arguments after the program name); resolves to the exit code. */
export async function main(
  argv: readonly string[],
  output: CommandOutput = processOutput,
): Promise<number> {
  let exitCode = 0;
  const program = new Command("svcgen")
    .description("Checks .svc interface definitions and generates typed TypeScript from them.")
    .version(packageVersion(), "-v, --version")
    .exitOverride()
    .configureOutput({ writeOut: output.stdout, writeErr: output.stderr })
    .showHelpAfterError("(run svcgen --help for usage)");

  program
    .command("check")
    .description("check .svc files (a folder stands for every *.svc below it) and print problems")
    .argument("<paths...>", ".svc files or folders")
    .addOption(formatOption())
    .action(async (paths: string[], options: { format: "text" | "json" }) => {
      exitCode = await (
        await import("./commands/check.js")
      ).runCheck(paths, { format: options.format }, output);
    });

  program
    .command("generate")
    .description("generate TypeScript modules, one per .svc file, mirroring the input tree")
    .argument("<paths...>", ".svc files or folders")
    .requiredOption("--out <dir>", "output folder")
    .option("--root <dir>", "folder the output tree mirrors (default: the inputs' common folder)")
    .option("--check", "write nothing; exit 1 if generated files are missing or stale", false)
    .addOption(
      new Option("--watch", "generate again whenever a .svc file changes (until Ctrl-C)")
        .default(false)
        .conflicts("check"),
    )
    .addOption(formatOption())
    .action(
      async (
        paths: string[],
        options: {
          out: string;
          root?: string;
          check: boolean;
          watch: boolean;
          format: "text" | "json";
        },
      ) => {
        const generateOptions = {
          out: options.out,
          ...(options.root === undefined ? {} : { root: options.root }),
          check: options.check,
          format: options.format,
        };
        exitCode = options.watch
          ? await (await import("./commands/watch.js")).runWatch(paths, generateOptions, output)
          : await (
              await import("./commands/generate.js")
            ).runGenerate(paths, generateOptions, output);
      },
    );

  program
    .command("fmt")
    .description("rewrite .svc files in the canonical layout (comments kept)")
    .argument("<paths...>", ".svc files or folders")
    .option("--check", "write nothing; list unformatted files and exit 1 if there are any", false)
    .option("--stdout", "write nothing; print the formatted text on stdout", false)
    .action(async (paths: string[], options: { check: boolean; stdout: boolean }) => {
      exitCode = await (
        await import("./commands/fmt.js")
      ).runFmt(paths, { check: options.check, stdout: options.stdout }, output);
    });

  program
    .command("breaking")
    .description("report every change that breaks deployed clients or servers")
    .argument("<paths...>", ".svc files or folders (the new version)")
    .requiredOption("--against <dir|git-ref>", "the old version: a folder, or a git revision")
    .addOption(formatOption())
    .action(async (paths: string[], options: { against: string; format: "text" | "json" }) => {
      exitCode = await (
        await import("./commands/breaking.js")
      ).runBreaking(paths, { against: options.against, format: options.format }, output);
    });

  program
    .command("lint")
    .description("report where .svc files break the naming, documentation and usage conventions")
    .argument("<paths...>", ".svc files or folders")
    .addOption(formatOption())
    .option("--config <file>", "lint configuration to use (default: the nearest svcgen.json)")
    .option("--strict", "exit 1 on any warning", false)
    .addOption(
      new Option("--max-warnings <count>", "exit 1 when there are more warnings than this")
        .argParser(parseCount)
        .conflicts("strict"),
    )
    .action(
      async (
        paths: string[],
        options: {
          format: "text" | "json";
          config?: string;
          strict: boolean;
          maxWarnings?: number;
        },
      ) => {
        exitCode = await (
          await import("./commands/lint.js")
        ).runLint(
          paths,
          {
            format: options.format,
            strict: options.strict,
            ...(options.config === undefined ? {} : { config: options.config }),
            ...(options.maxWarnings === undefined ? {} : { maxWarnings: options.maxWarnings }),
          },
          output,
        );
      },
    );

  program
    .command("init")
    .description("create a project that runs: an example .svc, a server, a client, npm scripts")
    .argument("[dir]", "folder to create the project in", ".")
    .option("--force", "write into a folder that is not empty (replacing files of the same name)")
    .action(async (dir: string, options: { force?: boolean }) => {
      exitCode = await (
        await import("./commands/init.js")
      ).runInit(dir, { force: options.force === true }, output);
    });

  program
    .command("lsp")
    .description("run the language server for .svc files on stdin/stdout (for editors)")
    .option("--stdio", "talk LSP over stdin/stdout (the default and only transport)")
    .action(async () => (await import("./commands/lsp.js")).runLsp());

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      output.stderr(`svcgen: ${error.message}\n`);
      return 2;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    output.stderr(`svcgen: internal error: ${detail}\n`);
    return 2;
  }
}

function invokedAsScript(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (invokedAsScript()) {
  process.exitCode = await main(process.argv.slice(2));
}
