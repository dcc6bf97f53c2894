/**
 * The floor for REST scenarios: node:http on the server, an undici keep-alive Pool on the
 * client, JSON bodies parsed and written by hand.
 */
import { Pool } from "undici";
import { listenHttp } from "./http-server.mjs";

export async function startServer() {
  const { server, port } = await listenHttp((request, response) => {
    if (request.method !== "POST" || request.url !== "/bench.Bench/add") {
      response.writeHead(404).end();
      return;
    }
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const { a, b } = JSON.parse(Buffer.concat(chunks).toString());
      const body = JSON.stringify(a + b);
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
  return {
    add: async (a, b) => {
      const { statusCode, body } = await pool.request({
        path: "/bench.Bench/add",
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ a, b }),
      });
      if (statusCode !== 200) throw new Error(`status ${statusCode}`);
      return body.json();
    },
    close: () => pool.close(),
  };
}
