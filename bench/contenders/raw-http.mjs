/**
 * The floor for REST scenarios: node:http on the server, an undici keep-alive Pool on the
 * client, JSON bodies parsed and written by hand.
 */
import { Pool } from "undici";
import { listenHttp } from "./http-server.mjs";
import { benchRows } from "./rows.mjs";

const handlers = {
  "/bench.Bench/add": ({ a, b }) => a + b,
  "/bench.Bench/rows": ({ count }) => benchRows(count),
};

export async function startServer() {
  const { server, port } = await listenHttp((request, response) => {
    const handler = request.method === "POST" ? handlers[request.url] : undefined;
    if (handler === undefined) {
      response.writeHead(404).end();
      return;
    }
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.stringify(handler(JSON.parse(Buffer.concat(chunks).toString())));
      response.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      });
      response.end(body);
    });
  });
  return {
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export async function connect(port) {
  const pool = new Pool(`http://127.0.0.1:${port}`, { pipelining: 1 });
  const call = async (path, params) => {
    const { statusCode, body } = await pool.request({
      path,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(params),
    });
    if (statusCode !== 200) throw new Error(`status ${statusCode}`);
    return body.json();
  };
  return {
    add: (a, b) => call("/bench.Bench/add", { a, b }),
    rows: (count) => call("/bench.Bench/rows", { count }),
    close: () => pool.close(),
  };
}
