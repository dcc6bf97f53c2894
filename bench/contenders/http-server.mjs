/** A node:http server on 127.0.0.1 and an ephemeral port, tuned the same for every contender. */
import http from "node:http";

export async function listenHttp(handler) {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, handler);
  // Sockets of 5,000 idle clients must not be dropped by Node's defaults mid-measurement.
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  server.maxConnections = Infinity;
  await new Promise((resolve) =>
    server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, resolve),
  );
  return { server, port: server.address().port };
}
