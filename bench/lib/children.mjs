/**
 * Runs one measurement in fresh processes: the contender's server in one child, the
 * scenario's client in another (each with its own heap and event loop, so neither side's
 * garbage or CPU use is billed to the other), and relays questions from the client to the
 * server (e.g. "how much memory do you use now?"). Both children start at once and load
 * their modules in parallel; the client starts measuring when it is told the server's port.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const serverMain = fileURLToPath(new URL("./server-main.mjs", import.meta.url));
const clientMain = fileURLToPath(new URL("./client-main.mjs", import.meta.url));

/** Outcome of one measurement: `{ value, extra }`, or `{ unavailable: reason }`. */
export async function measureOnce(scenario, contender, params, options) {
  const { timeoutMs, serverArgs = [], clientArgs = [] } = options;
  const needsServer = scenario.transport !== "none";
  const client = fork(clientMain, [scenario.id, contender, JSON.stringify(params)], {
    execArgv: ["--expose-gc", ...clientArgs],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  client.on("error", () => {}); // a send racing the child's exit; its outcome says what happened
  const outcome = clientOutcome(client, `${scenario.id}/${contender}`, timeoutMs);
  const server = needsServer ? startServer(contender, scenario, serverArgs) : undefined;
  try {
    const started = await server;
    if (started && "unavailable" in started) {
      client.kill("SIGKILL");
      return { unavailable: started.unavailable };
    }
    if (started) relayQuestions(client, started.child);
    // The client may already have finished (its contender is not installed).
    if (client.connected) client.send({ type: "start", port: started?.port ?? 0 });
    return await outcome;
  } finally {
    outcome.catch(() => {});
    // The client exits by itself once its outcome is sent (writing its CPU profile, if any).
    await exitOrKill(client, 5000);
    const started = await server?.catch(() => undefined);
    if (started) await stopChild(started.child);
  }
}

function startServer(contender, scenario, nodeArgs) {
  const child = fork(serverMain, [contender, scenario.transport], {
    execArgv: ["--expose-gc", ...nodeArgs],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    const onExit = (code) => reject(new Error(`${contender} server exited with ${code}`));
    child.once("exit", onExit);
    child.once("message", (message) => {
      child.off("exit", onExit);
      if (message.type === "listening") resolve({ child, port: message.port });
      else if (message.type === "unavailable") resolve({ unavailable: message.reason, child });
      else reject(new Error(`${contender} server: unexpected ${JSON.stringify(message)}`));
    });
  });
}

/** Resolves with the client's result, or its reason for being unavailable. */
function clientOutcome(child, label, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${label}: no result within ${timeoutMs} ms`));
    }, timeoutMs);
    let settled = false;
    const settle = (fn, value) => {
      settled = true;
      clearTimeout(timer);
      fn(value);
    };
    child.on("message", (message) => {
      if (message.type === "result") settle(resolve, message.result);
      else if (message.type === "unavailable") settle(resolve, { unavailable: message.reason });
      else if (message.type === "error") settle(reject, new Error(message.error));
    });
    child.once("exit", (code) => {
      if (!settled) settle(reject, new Error(`${label} client exited with ${code}`));
    });
  });
}

function relayQuestions(client, server) {
  client.on("message", async (message) => {
    if (message.type !== "ask") return;
    const answer = await askChild(server, message.question);
    client.send({ type: "answer", id: message.id, answer });
  });
}

let nextQuestion = 1;
function askChild(child, question) {
  const id = nextQuestion++;
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (message.type !== "answer" || message.id !== id) return;
      child.off("message", onMessage);
      resolve(message.answer);
    };
    child.on("message", onMessage);
    child.send({ type: "ask", id, question });
  });
}

async function stopChild(child) {
  if (child.connected) child.send({ type: "stop" });
  await exitOrKill(child, 5000);
}

/** Waits up to `graceMs` for `child` to exit, then kills it. */
async function exitOrKill(child, graceMs) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * For --quick: processes kept across measurements, so a short run is not spent starting
 * Node and loading modules. One client process per contender and one server process per
 * contender and transport, all stopped by `close()`. The full run never uses this: there
 * every measurement gets fresh processes.
 */
export function createPool() {
  const servers = new Map();
  const clients = new Map();

  /** The server for `contender` and the scenario's transport, started once (the promise is cached). */
  function serverFor(contender, scenario) {
    const key = `${contender}/${scenario.transport}`;
    const cached = servers.get(key);
    if (cached) return cached;
    const starting = startServer(contender, scenario, []).then((started) => {
      // A server that dies is started again by the next measurement that needs it.
      started.child.once("exit", () => servers.delete(key));
      return started;
    });
    starting.catch(() => servers.delete(key));
    servers.set(key, starting);
    return starting;
  }

  /**
   * The client process for `contender`. In-process scenarios (the codec) get one of their own:
   * their JIT and heap must not be shaped by the network scenarios run before them.
   */
  function clientFor(contender, scenario) {
    const key = scenario.transport === "none" ? `${contender}/in-process` : contender;
    const cached = clients.get(key);
    if (cached && cached.exitCode === null && cached.signalCode === null) return cached;
    const child = fork(clientMain, ["--serve", contender], {
      execArgv: ["--expose-gc"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child.on("error", () => {});
    clients.set(key, child);
    return child;
  }

  async function measure(scenario, contender, params, { timeoutMs }) {
    const label = `${scenario.id}/${contender}`;
    const started =
      scenario.transport === "none" ? undefined : await serverFor(contender, scenario);
    if (started && "unavailable" in started) return { unavailable: started.unavailable };
    const client = clientFor(contender, scenario);
    let onMessage;
    let onExit;
    let timer;
    try {
      return await new Promise((resolve, reject) => {
        timer = setTimeout(() => {
          client.kill("SIGKILL");
          reject(new Error(`${label}: no result within ${timeoutMs} ms`));
        }, timeoutMs);
        onExit = (code) => reject(new Error(`${label} client exited with ${code}`));
        onMessage = async (message) => {
          if (message.type === "ask" && started) {
            const answer = await askChild(started.child, message.question);
            client.send({ type: "answer", id: message.id, answer });
          } else if (message.type === "result") resolve(message.result);
          else if (message.type === "unavailable") resolve({ unavailable: message.reason });
          else if (message.type === "error") reject(new Error(message.error));
        };
        client.on("message", onMessage);
        client.once("exit", onExit);
        client.send({
          type: "measure",
          scenarioId: scenario.id,
          contenderName: contender,
          params,
          port: started?.port ?? 0,
        });
      });
    } finally {
      clearTimeout(timer);
      client.off("message", onMessage);
      client.off("exit", onExit);
    }
  }

  /**
   * Starts the processes `plan` ([{ scenario, contender }]) will need, all at once: their
   * start-up (Node, then each library's modules) overlaps instead of adding up.
   */
  async function prepare(plan) {
    const starting = [];
    for (const { scenario, contender } of plan) {
      clientFor(contender, scenario);
      if (scenario.transport !== "none") starting.push(serverFor(contender, scenario));
    }
    await Promise.allSettled(starting);
  }

  async function close() {
    const stopping = [...clients.values()].map(async (child) => {
      if (child.connected) child.send({ type: "stop" });
      await exitOrKill(child, 5000);
    });
    for (const server of servers.values()) {
      stopping.push(server.then((started) => stopChild(started.child)).catch(() => {}));
    }
    servers.clear();
    clients.clear();
    await Promise.all(stopping);
  }

  return { prepare, measure, close };
}
