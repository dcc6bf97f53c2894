/**
 * `svcgen init [dir]`: copies the project template (packages/svcgen/templates/project, shipped
 * in the package) into `dir`, naming the project after the folder and depending on this
 * version of svcgen and @svcgen/runtime. A folder that is not empty is left alone unless
 * `force` is given.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CommandOutput } from "./check.js";

export interface InitOptions {
  /** Write into a non-empty folder, replacing files the template also has. */
  readonly force: boolean;
}

/** dist/commands/init.js and src/commands/init.ts both sit two levels below the package. */
const packageRoot = fileURLToPath(new URL("../../", import.meta.url));
const templateRoot = path.join(packageRoot, "templates", "project");

/** Template files whose name npm would not ship as is. */
const renamed: Readonly<Record<string, string>> = { gitignore: ".gitignore" };

/** Returns the exit code: 0 created; 2 the folder is not empty (without force) or unwritable. */
export async function runInit(
  dir: string,
  options: InitOptions,
  output: CommandOutput,
): Promise<number> {
  const target = path.resolve(dir);
  try {
    const existing = await readdir(target).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    });
    if (existing.length > 0 && !options.force) {
      output.stderr(
        `svcgen: ${dir} is not empty; choose a new folder, or pass --force to write into it\n`,
      );
      return 2;
    }
    const version = await ownVersion();
    const files = await templateFiles();
    for (const relative of files) {
      const destination = path.join(target, renamed[relative] ?? relative);
      let text = await readFile(path.join(templateRoot, relative), "utf8");
      if (relative === "package.json") text = projectManifest(text, target, version);
      await mkdir(path.dirname(destination), { recursive: true });
      await writeFile(destination, text);
    }
    const shown = path.relative(process.cwd(), target) || ".";
    const list = files.map((file) => `  ${renamed[file] ?? file}\n`).join("");
    const cd = shown === "." ? "" : `  cd ${shown}\n`;
    output.stdout(
      `svcgen: created a project in ${shown}:\n${list}` +
        `Next (Node.js 20.19 or newer):\n${cd}  npm install\n  npm start\n` +
        `Until svcgen is on the npm registry, install the tarballs made by npm pack instead:\n` +
        `  npm install <folder>/svcgen-${version}.tgz <folder>/svcgen-runtime-${version}.tgz\n` +
        `(docs/quickstart.md of the svcgen repository shows how to make them)\n`,
    );
    return 0;
  } catch (error) {
    output.stderr(`svcgen: cannot create the project in ${dir}: ${describe(error)}\n`);
    return 2;
  }
}

/** Every template file, relative, with `/` separators, sorted. */
async function templateFiles(folder = ""): Promise<string[]> {
  const entries = await readdir(path.join(templateRoot, folder), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const relative = folder === "" ? entry.name : `${folder}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await templateFiles(relative)));
    else if (entry.isFile()) files.push(relative);
  }
  return files.sort();
}

/** The template's package.json with the project's name and this release's versions. */
function projectManifest(template: string, target: string, version: string): string {
  const manifest = JSON.parse(template) as {
    name: string;
    dependencies: Record<string, string>;
  };
  manifest.name = packageName(path.basename(target));
  manifest.dependencies["svcgen"] = `^${version}`;
  manifest.dependencies["@svcgen/runtime"] = `^${version}`;
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** A valid npm package name made from a folder name (`My Service` → `my-service`). */
export function packageName(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[._-]+/, "")
    .replace(/-+$/, "")
    .slice(0, 214);
  return name === "" ? "svcgen-project" : name;
}

async function ownVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(packageRoot, "package.json"), "utf8")) as {
    version: string;
  };
  return manifest.version;
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOTDIR") return "not a folder";
  return error instanceof Error ? error.message : String(error);
}
