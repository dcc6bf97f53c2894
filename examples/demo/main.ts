/**
 * `npm run demo`: starts the example server on a free port and shows, in one run, long
 * work with progress pushed live, a chat between two clients, and calculator calls over
 * REST; then prints a summary and exits. `--serve` keeps the server up for the browser page.
 */
import { parseArgs } from "node:util";
import { connectHttp, connectWebSocket } from "@svcgen/runtime";
import { CalculatorClient } from "../../generated/calculator.js";
import { ChatRoomClient } from "../../generated/chat.js";
import { LongWorkClient } from "../../generated/longwork.js";
import { runCalculations } from "../calculator/client.js";
import { startExampleServer } from "../server.js";
import type { ExampleServer } from "../server.js";
import { runChatPart } from "./chat-part.js";
import { runLongWorkPart } from "./long-work-part.js";
import { ProgressBoard } from "./progress-board.js";

/** The whole demo must end well within this; a hang exits non-zero instead of lingering. */
const DEMO_DEADLINE_MS = 25_000;

const print = (line = ""): void => void process.stdout.write(`${line}\n`);

async function runDemo(): Promise<void> {
  const startedAt = performance.now();
  const server = await startExampleServer({ port: 0, host: "127.0.0.1" });
  print(`svcgen demo: one server at ${server.url} (REST, JSON-RPC and WebSocket on one port)`);
  const http = connectHttp(server.url);
  const [workConnection, aliceConnection, bobConnection] = await Promise.all([
    connectWebSocket(server.wsUrl),
    connectWebSocket(server.wsUrl),
    connectWebSocket(server.wsUrl),
  ]);
  try {
    print();
    print("1. Long work: progress pushed over WebSocket callbacks, nobody polls");
    const outcomes = await runLongWorkPart(
      new LongWorkClient(workConnection),
      new ProgressBoard(process.stdout),
    );
    const started = await new LongWorkClient(http).totalWorkCount();
    print(`  totalWorkCount() over REST = ${started}`);

    print();
    print("2. Chat: two clients; the room calls each member back");
    const chat = await runChatPart(
      new ChatRoomClient(aliceConnection),
      new ChatRoomClient(bobConnection),
      print,
    );

    print();
    print("3. Calculator over REST (connectHttp)");
    const calculations = await runCalculations(new CalculatorClient(http));
    for (const line of calculations) print(`  ${line.call.padEnd(20)} ${line.outcome}`);

    const finished = outcomes.filter((outcome) => outcome.finished).length;
    const declared = calculations.filter((line) => line.declaredError).length;
    print();
    print("Summary");
    print(
      `  long work   ${finished} finished, ${outcomes.length - finished} failed or cancelled, ` +
        `${started} started in all`,
    );
    print(`  chat        ${chat.eventsHeard} events pushed to 2 members by callback`);
    print(
      `  calculator  ${calculations.length} REST calls, ${declared} declared error (DivisionByZero)`,
    );
    print(`  done in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  } finally {
    await Promise.allSettled([
      workConnection.close(),
      aliceConnection.close(),
      bobConnection.close(),
      http.close(),
    ]);
    await server.close();
  }
}

async function serve(port: number, host: string): Promise<void> {
  const server = await startExampleServer({ port, host });
  print(`svcgen example server at ${server.url}`);
  print(`  browser page: ${server.url}/`);
  print(`  WebSocket:    ${server.wsUrl}`);
  print(`  OpenAPI:      ${server.url}/openapi.json`);
  print("Press Ctrl+C to stop.");
  await stopOnSignal(server);
}

function stopOnSignal(server: ExampleServer): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      server.close().then(resolve, resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      serve: { type: "boolean", default: false },
      port: { type: "string", default: "8080" },
      host: { type: "string", default: "127.0.0.1" },
    },
  });
  if (values.serve) return serve(Number(values.port), values.host);
  const deadline = setTimeout(() => {
    process.stderr.write(`demo: not done after ${DEMO_DEADLINE_MS / 1000} s, giving up\n`);
    process.exit(1);
  }, DEMO_DEADLINE_MS);
  deadline.unref();
  await runDemo();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
