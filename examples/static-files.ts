import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";

interface PageFile {
  readonly file: string;
  readonly type: string;
}

/** The files of the browser page, by URL path: a fixed list, so no path ever reaches the disk. */
const PAGE_FILES: ReadonlyMap<string, PageFile> = new Map([
  ["/", { file: "index.html", type: "text/html; charset=utf-8" }],
  ["/index.html", { file: "index.html", type: "text/html; charset=utf-8" }],
  ["/app.js", { file: "app.js", type: "text/javascript; charset=utf-8" }],
  ["/app.js.map", { file: "app.js.map", type: "application/json; charset=utf-8" }],
]);

/** The page file `req` asks for, or undefined when the request is not for the page. */
export function pageFileFor(req: IncomingMessage): PageFile | undefined {
  if (req.method !== "GET" && req.method !== "HEAD") return undefined;
  const path = (req.url ?? "/").split("?", 1)[0]!;
  return PAGE_FILES.get(path);
}

/** Answers with `page` read from `dir` (index.html and the bundle of scripts/build-examples.mjs). */
export async function sendPageFile(
  dir: string,
  page: PageFile,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let body: Buffer;
  try {
    body = await readFile(join(dir, page.file));
  } catch {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
    res.end(`${page.file} is not built: run npm run build\n`);
    return;
  }
  res.writeHead(200, {
    "content-type": page.type,
    "content-length": body.length,
    "cache-control": "no-cache",
  });
  res.end(req.method === "HEAD" ? undefined : body);
}
