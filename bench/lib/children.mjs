/**
 * Runs one measurement in fresh processes: the contender's server in one child, the
 * scenario's client in another (each with its own heap and event loop, so neither side's
 * garbage or CPU use is billed to the other), and relays questions from the client to the
 * server (e.g. "how much memory do you use now?").
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const serverMain = fileURLToPath(new URL("./server-main.mjs", import.meta.url));
const clientMain = fileURLToPath(new URL("./client-main.mjs", import.meta.url));

/** Outcome of one measurement: `{ value, extra }`, or `{ unavailable: reason }`. */
export async function measureOnce(scenario, contender, params, options) {
  const { timeoutMs, serverArgs = [], clientArgs = [] } = options;
  const server =
    scenario.transport === "none" ? undefined : await startServer(contender, scenario, serverArgs);
  try {
    if (server && "unavailable" in server) return server;
    return await runClient(scenario, contender, params, server, timeoutMs, clientArgs);
  } finally {
    if (server && "child" in server) await stopChild(server.child);
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

function runClient(scenario, contender, params, server, timeoutMs, nodeArgs) {
  const child = fork(clientMain, [scenario.id, contender, JSON.stringify(params)], {
    execArgv: ["--expose-gc", ...nodeArgs],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, BENCH_PORT: String(server?.port ?? 0) },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${scenario.id}/${contender}: no result within ${timeoutMs} ms`));
    }, timeoutMs);
    let settled = false;
    const settle = (fn, value) => {
      settled = true;
      clearTimeout(timer);
      fn(value);
    };
    child.on("message", async (message) => {
      if (message.type === "result") settle(resolve, message.result);
      else if (message.type === "unavailable") settle(resolve, { unavailable: message.reason });
      else if (message.type === "error") settle(reject, new Error(message.error));
      else if (message.type === "ask" && server) {
        const answer = await askChild(server.child, message.question);
        child.send({ type: "answer", id: message.id, answer });
      }
    });
    child.once("exit", (code) => {
      if (!settled)
        settle(reject, new Error(`${scenario.id}/${contender} client exited with ${code}`));
    });
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
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.send({ type: "stop" });
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}
