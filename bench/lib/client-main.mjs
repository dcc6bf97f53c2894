/**
 * Child process: runs scenarios' client side.
 *
 *   client-main.mjs <scenario> <contender> <params>   one measurement: loads its modules at
 *       once, then waits for the parent's `start` message with the port of the server
 *       (started in parallel), sends the outcome and exits.
 *   client-main.mjs --serve [contender]                 many measurements (--quick): answers
 *       each `measure` message ({ scenarioId, contenderName, params, port }) with an outcome,
 *       until `stop`.
 */
import { loadContender, unavailableReason } from "./contenders.mjs";
import { loadScenario } from "../scenarios/index.mjs";

// Never outlive the runner (it was killed, or crashed): an orphan would hold its port and CPU.
process.on("disconnect", () => process.exit(0));

const pending = new Map();
let nextId = 1;
let onStart;
const started = new Promise((resolve) => (onStart = resolve));
process.on("message", (message) => {
  if (message.type === "start") onStart(message.port);
  if (message.type !== "answer") return;
  pending.get(message.id)?.(message.answer);
  pending.delete(message.id);
});

/** Asks the server process something (answered by server-main.mjs). */
function askServer(question) {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    process.send({ type: "ask", id, question });
  });
}

/** One measurement's outcome message: result, unavailable or error. */
async function measure(scenarioId, contenderName, params, portReady) {
  try {
    const scenario = await loadScenario(scenarioId);
    const contender =
      scenario.transport === "none" ? undefined : await loadContender(contenderName);
    const port = await portReady;
    const result = await scenario.measure({ contender, contenderName, port, params, askServer });
    return { type: "result", result };
  } catch (error) {
    const reason = unavailableReason(error);
    return reason
      ? { type: "unavailable", reason }
      : { type: "error", error: error?.stack ?? String(error) };
  }
}

const args = process.argv.slice(2);
if (args[0] === "--serve") {
  // Load the contender now, while the parent starts the others: its first measurement then
  // finds it loaded. A contender that cannot load says so when it is measured.
  if (args[1]) loadContender(args[1]).catch(() => {});
  // Measurements run one after another: the parent waits for each outcome before the next.
  process.on("message", async (message) => {
    if (message.type === "stop") process.exit(0);
    if (message.type !== "measure") return;
    const { scenarioId, contenderName, params, port } = message;
    process.send(await measure(scenarioId, contenderName, params, port));
  });
} else {
  const [scenarioId, contenderName, paramsJson] = args;
  const outcome = await measure(scenarioId, contenderName, JSON.parse(paramsJson), started);
  // Exit once the parent has the outcome: contenders' clients may leave reconnect timers or
  // sockets behind, and the measurement is over.
  process.send(outcome, () => process.exit(0));
}
