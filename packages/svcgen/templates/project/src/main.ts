/**
 * `npm start`: starts the server, runs the client against it, and stops.
 * `npm start -- --serve`: keeps the server running (PORT=3000 npm start -- --serve).
 */
import { runClient } from "./client.js";
import { startServer } from "./server.js";

const server = await startServer(Number(process.env.PORT ?? 0));
console.log(`server: listening at ${server.url}`);

if (process.argv.includes("--serve")) {
  console.log(
    `server: try curl ${server.url}/hello.Hello/greet -H 'content-type: application/json' -d '{"name":"you"}'`,
  );
  process.once("SIGINT", () => void server.close());
} else {
  await runClient(server.url);
  await server.close();
}
