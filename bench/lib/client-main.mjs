/**
 * Child process: runs one scenario's client side. It loads its modules at once, then waits
 * for the parent's `start` message with the port of the server (started in parallel).
 */
import { loadContender, unavailableReason } from "./contenders.mjs";
import { loadScenario } from "../scenarios/index.mjs";

const [scenarioId, contenderName, paramsJson] = process.argv.slice(2);

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

let outcome;
try {
  const scenario = await loadScenario(scenarioId);
  const contender = scenario.transport === "none" ? undefined : await loadContender(contenderName);
  const port = await started;
  const result = await scenario.measure({
    contender,
    contenderName,
    port,
    params: JSON.parse(paramsJson),
    askServer,
  });
  outcome = { type: "result", result };
} catch (error) {
  const reason = unavailableReason(error);
  outcome = reason
    ? { type: "unavailable", reason }
    : { type: "error", error: error?.stack ?? String(error) };
}
// Exit once the parent has the outcome: contenders' clients may leave reconnect timers or
// sockets behind, and the measurement is over.
process.send(outcome, () => process.exit(0));
