/**
 * `npm run demo`: starts the example server on a free port and shows, in one run, long
 * work with progress pushed live, a chat between two clients, and calculator calls over
 * REST; then prints a summary and exits. `--serve` keeps the server up for the browser page
 * (on port 8080 unless `--port N` says otherwise; `--port 0` picks a free one). `--nodes N`
 * serves it on N processes joined by a Redis of the demo's own (cluster.ts), ports from 8080.
 */
import { parseArgs } from "node:util";
import { connectHttp, connectWebSocket } from "@svcgen/runtime";
import { InspectorClient } from "@svcgen/runtime/inspector";
import { CalculatorClient } from "../../generated/calculator.js";
import { ChatRoomClient } from "../../generated/chat.js";
import { LongWorkClient } from "../../generated/longwork.js";
import { runCalculations } from "../calculator/client.js";
import { startExampleServer } from "../server.js";
import type { ExampleServer } from "../server.js";
import { runChatPart } from "./chat-part.js";
import { runCluster } from "./cluster.js";
import { startCutRelay } from "./cut-relay.js";
import { runLongWorkPart } from "./long-work-part.js";
import { ProgressBoard } from "./progress-board.js";

/** The whole demo must end well within this; a hang exits non-zero instead of lingering. */
const DEMO_DEADLINE_MS = 25_000;

const print = (line = ""): void => void process.stdout.write(`${line}\n`);

async function runDemo(port: number, host: string): Promise<void> {
  const startedAt = performance.now();
  const server = await startExampleServer({ port, host, rpc: { inspector: true } });
  print(`svcgen demo: one server at ${server.url} (REST, JSON-RPC and WebSocket on one port)`);
  print(
    `  live inspector at ${server.url}/inspector while it runs (npm run demo -- --serve keeps it up)`,
  );
  const http = connectHttp(server.url);
  // The long work goes through a relay the demo cuts mid-job, as a network would.
  const relay = await startCutRelay(Number(new URL(server.url).port));
  const [workConnection, aliceConnection, bobConnection] = await Promise.all([
    connectWebSocket(relay.wsUrl, { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } }),
    connectWebSocket(server.wsUrl),
    connectWebSocket(server.wsUrl),
  ]);
  const board = new ProgressBoard(process.stdout);
  let cutAt = 0;
  let resumes = 0;
  let lost = 0;
  workConnection.on("resumed", () => {
    resumes++;
    const ms = Math.round(performance.now() - cutAt);
    board.note(`connection resumed after ${ms} ms: same session, no progress lost`);
  });
  workConnection.on("sessionLost", (reason) => {
    lost++;
    board.note(`session lost (${reason})`);
  });
  try {
    print();
    print("1. Long work: progress pushed over WebSocket callbacks, nobody polls");
    const { outcomes, missedUpdates } = await runLongWorkPart(
      new LongWorkClient(workConnection),
      board,
      () => {
        cutAt = performance.now();
        board.note("the demo cut the connection mid-job (a TCP reset, no close handshake)");
        relay.cut();
      },
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
    const gap =
      missedUpdates === 0
        ? "every progress update arrived, none twice"
        : `${missedUpdates} progress updates superseded by newer ones (@conflate)`;
    print(`  cut         1 connection cut mid-job, ${resumes} resumed, ${lost} lost: ${gap}`);
    print(`  chat        ${chat.eventsHeard} events pushed to 2 members by callback`);
    print(
      `  calculator  ${calculations.length} REST calls, ${declared} declared error (DivisionByZero)`,
    );
    // What the inspector page shows, asked over the same service the page uses.
    const seen = await new InspectorClient(aliceConnection).snapshot();
    const calls = seen.methods.filter((m) => m.kind === "call");
    const served = calls.reduce((sum, m) => sum + m.calls, 0);
    const pushed = seen.methods
      .filter((m) => m.kind === "callback")
      .reduce((sum, m) => sum + m.calls, 0);
    print(
      `  inspector   ${served} calls to ${calls.filter((m) => m.calls > 0).length} methods, ` +
        `${pushed} callbacks, ${seen.recentErrors.length} recent errors, ` +
        `${seen.webSocketConnections} WebSocket connections`,
    );
    print(`  done in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  } finally {
    await Promise.allSettled([
      workConnection.close(),
      aliceConnection.close(),
      bobConnection.close(),
      http.close(),
    ]);
    await relay.close();
    await server.close();
  }
}

async function serve(port: number, host: string): Promise<void> {
  const server = await startExampleServer({ port, host, rpc: { inspector: true } });
  print(`svcgen example server at ${server.url}`);
  print(`  browser page: ${server.url}/`);
  print(`  inspector:    ${server.url}/inspector`);
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
      nodes: { type: "string", default: "1" },
    },
  });
  const nodes = Number(values.nodes);
  if (!/^\d+$/.test(values.nodes) || nodes < 1 || nodes > 16) {
    process.stderr.write(`demo: --nodes takes a number from 1 to 16, not "${values.nodes}"\n`);
    process.exit(2);
  }
  if (nodes > 1) return runCluster(nodes, parsePort(values.port ?? "8080"), values.host);
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
