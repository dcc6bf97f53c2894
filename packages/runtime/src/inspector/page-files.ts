/**
 * The inspector page's files, served by the server at `{base}{path}`: the HTML, the page's
 * script, the generated inspector module it imports and the runtime's browser bundle, which
 * an import map names `@svcgen/runtime`. A fixed list: no request path reaches the disk.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";

export interface PageFile {
  /** The file's path below the page's own path (`""`: the page). */
  readonly below: string;
  readonly type: string;
  /** The HTML (made from the paths), or a built file read when asked for. */
  readonly body: string | URL;
  readonly headers?: Readonly<Record<string, string>>;
}

const javascript = "text/javascript; charset=utf-8";

/**
 * Where the built files are: next to this module in dist/. Tests run the TypeScript sources
 * (src/inspector/), but a browser needs the built JavaScript, so they read it from dist/.
 */
function built(relative: string): URL {
  const here = new URL(".", import.meta.url);
  const dir = fileURLToPath(here).replace(/\\/g, "/").endsWith("/src/inspector/")
    ? new URL("../../dist/inspector/", here)
    : here;
  return new URL(relative, dir);
}

/** The page and its files, for a page at `pagePath` and the WebSocket endpoint at `wsPath`. */
export function pageFiles(pagePath: string, wsPath: string): PageFile[] {
  const importMap = JSON.stringify({
    imports: { "@svcgen/runtime": `${pagePath}/svcgen-runtime.js` },
  }).replace(/</g, "\\u003c");
  const importMapHash = createHash("sha256").update(importMap).digest("base64");
  const html = {
    below: "",
    type: "text/html; charset=utf-8",
    body: pageHtml(pagePath, wsPath, importMap),
    headers: {
      // The page runs its own scripts only, and talks to this server only.
      "content-security-policy": [
        "default-src 'none'",
        `script-src 'self' 'sha256-${importMapHash}'`,
        "style-src 'unsafe-inline'",
        "connect-src 'self'",
        "img-src data:",
      ].join("; "),
    },
  };
  return [
    html,
    { below: "/page/main.js", type: javascript, body: built("page/main.js") },
    { below: "/page/view.js", type: javascript, body: built("page/view.js") },
    { below: "/generated/inspector.js", type: javascript, body: built("generated/inspector.js") },
    { below: "/svcgen-runtime.js", type: javascript, body: built("../browser/svcgen-runtime.js") },
  ];
}

export async function sendPageFile(
  file: PageFile,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "content-length": 0 });
    res.end();
    return;
  }
  let body: Buffer;
  try {
    body = typeof file.body === "string" ? Buffer.from(file.body) : await readFile(file.body);
  } catch {
    const text = "the inspector page is not built: run npm run build\n";
    res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
    res.end(text);
    return;
  }
  if (res.headersSent || res.destroyed) return;
  res.writeHead(200, {
    "content-type": file.type,
    "content-length": body.length,
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
    ...file.headers,
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

function pageHtml(pagePath: string, wsPath: string, importMap: string): string {
  const attr = (value: string) =>
    value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>svcgen inspector</title>
    <link rel="icon" href="data:," />
    <script type="importmap">${importMap}</script>
    <style>
      body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2330; background: #f7f8fa; }
      h1 { font-size: 1.3rem; margin: 0 0 0.2rem; }
      h2 { font-size: 1.05rem; margin: 1.4rem 0 0.4rem; }
      #status { color: #666; }
      #status.connected { color: #1a7f37; }
      .figures { display: flex; flex-wrap: wrap; gap: 0.6rem; margin-top: 0.8rem; }
      .figure { background: #fff; border: 1px solid #d8dce3; border-radius: 6px; padding: 0.5rem 0.8rem; min-width: 8rem; }
      .figure b { display: block; font-size: 1.4rem; }
      table { border-collapse: collapse; background: #fff; width: 100%; }
      th, td { border: 1px solid #d8dce3; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
      th { background: #eef1f5; }
      td.n { text-align: right; font-variant-numeric: tabular-nums; }
      tr.failing td.errors { color: #b42318; font-weight: bold; }
      .empty { color: #888; font-style: italic; }
      code { font-size: 0.92em; }
    </style>
  </head>
  <body data-ws-path="${attr(wsPath)}">
    <h1>svcgen inspector</h1>
    <div id="status">connecting…</div>
    <div class="figures" id="figures"></div>
    <h2>Methods</h2>
    <table id="methods"><thead><tr>
      <th>method</th><th>kind</th><th>calls</th><th>calls/s</th><th>errors</th><th>error rate</th><th>in flight</th><th>p50</th><th>p99</th>
    </tr></thead><tbody></tbody></table>
    <h2>Connections</h2>
    <table id="connections"><thead><tr>
      <th>connection</th><th>address</th><th>kind</th><th>in flight</th><th>buffered</th><th>unacked</th><th>callbacks (groups)</th>
    </tr></thead><tbody></tbody></table>
    <h2>Groups</h2>
    <table id="groups"><thead><tr><th>group</th><th>callback type</th><th>members here</th></tr></thead><tbody></tbody></table>
    <h2>Recent errors</h2>
    <table id="errors"><thead><tr><th>at</th><th>method</th><th>code</th><th>message</th><th>incident</th></tr></thead><tbody></tbody></table>
    <script type="module" src="${attr(`${pagePath}/page/main.js`)}"></script>
  </body>
</html>
`;
}
