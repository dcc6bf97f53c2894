/**
 * `svcgen generate --watch`: generates once, then again whenever a `.svc` file read by the
 * last run, or any `.svc` file in an input folder, is created, changed or deleted. Changes
 * arriving together (an editor's save, a branch switch) make one run. Errors in the IDL are
 * printed and watching goes on; only a signal (or `close()`) ends it.
 */
import { watch, type FSWatcher } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { CommandOutput } from "./check.js";
import { generateOnce, type GenerateCommandOptions } from "./generate.js";

export interface WatchOptions {
  /** Quiet time after the last change before a run starts. Default 100 ms. */
  readonly debounceMs?: number;
}

export interface GenerateWatcher {
  /** Stops watching; resolves once a run in progress has finished. */
  close(): Promise<void>;
}

/** Starts watching; the first run begins at once. */
export function watchGenerate(
  inputs: readonly string[],
  options: GenerateCommandOptions,
  output: CommandOutput,
  watchOptions: WatchOptions = {},
): GenerateWatcher {
  const debounceMs = watchOptions.debounceMs ?? 100;
  const outDir = path.resolve(options.out);
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let pending = false;
  let closed = false;

  const schedule = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(start, debounceMs);
  };

  const start = () => {
    if (closed) return;
    if (running !== undefined) {
      pending = true;
      return;
    }
    running = runOnce()
      .catch((error: unknown) => {
        const detail = error instanceof Error ? error.message : String(error);
        output.stderr(`svcgen: ${detail}\n`);
      })
      .finally(() => {
        running = undefined;
        if (pending) {
          pending = false;
          start();
        }
      });
  };

  const onEvent = (folder: string) => (_event: string, name: string | Buffer | null) => {
    const file = name === null ? undefined : path.join(folder, String(name));
    if (file !== undefined && isBelowOrSame(outDir, file)) return;
    // A .svc file, or maybe a folder that came or went (it may hold .svc files).
    if (file === undefined || file.endsWith(".svc") || path.extname(file) === "") schedule();
  };

  const watchFolders = (folders: ReadonlySet<string>) => {
    for (const [folder, watcher] of watchers) {
      if (folders.has(folder)) continue;
      watcher.close();
      watchers.delete(folder);
    }
    for (const folder of folders) {
      if (watchers.has(folder)) continue;
      try {
        const watcher = watch(folder, { persistent: true }, onEvent(folder));
        // A watched folder that disappears: forget it, the next run decides what to watch.
        watcher.on("error", () => {
          watcher.close();
          watchers.delete(folder);
          schedule();
        });
        watchers.set(folder, watcher);
      } catch {
        // Gone already: the inputs that remain are still watched.
      }
    }
  };

  async function runOnce(): Promise<void> {
    const started = performance.now();
    // The summary line of a good run is held back, to print it with the time as one line.
    let summary = "";
    const run = await generateOnce(inputs, options, {
      stdout: (text) => void (summary += text),
      stderr: output.stderr,
    });
    if (closed) return;
    const folders = new Set<string>();
    for (const source of run.sources) folders.add(path.dirname(source));
    for (const input of inputs) {
      for (const folder of await foldersOf(path.resolve(input))) folders.add(folder);
    }
    for (const folder of [...folders]) if (isBelowOrSame(outDir, folder)) folders.delete(folder);
    if (closed) return;
    watchFolders(folders);
    const millis = Math.round(performance.now() - started);
    if (run.exitCode === 0) {
      output.stdout(`${summary.trimEnd()} (${millis} ms); watching for changes\n`);
    } else {
      if (summary !== "") output.stdout(summary);
      output.stdout(`svcgen: nothing written (${millis} ms); watching for changes\n`);
    }
  }

  start();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
      await running;
    },
  };
}

/** Runs `watchGenerate` until SIGINT or SIGTERM; then exits 0. */
export function runWatch(
  inputs: readonly string[],
  options: GenerateCommandOptions,
  output: CommandOutput,
): Promise<number> {
  const watcher = watchGenerate(inputs, options, output);
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void watcher.close().then(() => resolve(0));
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** A folder and every folder below it; the folder of a file; nothing for a missing path. */
async function foldersOf(input: string): Promise<string[]> {
  let info;
  try {
    info = await stat(input);
  } catch {
    // A missing input: watch where it would appear.
    return [path.dirname(input)];
  }
  if (!info.isDirectory()) return [path.dirname(input)];
  const found = [input];
  for (let next = 0; next < found.length && found.length < 10_000; next++) {
    const entries = await readdir(found[next]!, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.isDirectory() && entry.name !== "node_modules" && !entry.name.startsWith(".")) {
        found.push(path.join(found[next]!, entry.name));
      }
    }
  }
  return found;
}

function isBelowOrSame(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}
