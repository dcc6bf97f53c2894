/**
 * `npm run demo`: starts the example server on a free port and shows, in one run, long
 * work with progress pushed live, a chat between two clients, and calculator calls over
 * REST; then prints a summary and exits. `--serve` keeps the server up for the browser page
 * (on port 8080 unless `--port N` says otherwise; `--port 0` picks a free one).
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

async function runDemo(port: number, host: string): Promise<void> {
  const startedAt = performance.now();
  const server = await startExampleServer({ port, host });
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
      port: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
    },
  });
  // The demo run takes any free port unless told; the server for the browser page, 8080.
  const port = parsePort(values.port ?? (values.serve ? "8080" : "0"));
  if (values.serve) return serve(port, values.host);
  const deadline = setTimeout(() => {
    process.stderr.write(`demo: not done after ${DEMO_DEADLINE_MS / 1000} s, giving up\n`);
    process.exit(1);
  }, DEMO_DEADLINE_MS);
  deadline.unref();
  await runDemo(port, values.host);
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    process.stderr.write(`demo: --port takes a number from 0 to 65535, not "${text}"\n`);
    process.exit(2);
  }
  return port;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
