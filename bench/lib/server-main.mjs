/** Child process: runs one contender's server until the parent says stop. */
import { loadContender, unavailableReason } from "./contenders.mjs";

const [contenderName, transport] = process.argv.slice(2);

let server;
try {
  const contender = await loadContender(contenderName);
  server = await contender.startServer({ transport });
  process.send({ type: "listening", port: server.port });
} catch (error) {
  const reason = unavailableReason(error);
  if (!reason) throw error;
  process.send({ type: "unavailable", reason });
}

// Never outlive the runner (it was killed, or crashed): an orphan would hold its port and CPU.
process.on("disconnect", () => process.exit(0));

process.on("message", async (message) => {
  if (message.type === "ask") {
    process.send({ type: "answer", id: message.id, answer: answer(message.question) });
  } else if (message.type === "stop") {
    // The process is thrown away: a close that lingers (peers' keep-alive sockets) is cut short.
    await Promise.race([server?.close(), new Promise((resolve) => setTimeout(resolve, 1000))]);
    process.exit(0);
  }
});

function answer(question) {
  if (question === "memory") {
    // Twice: the first collection may only promote what the second can free.
    globalThis.gc?.();
    globalThis.gc?.();
    const usage = process.memoryUsage();
    return { heap: usage.heapUsed + usage.external, rss: usage.rss };
  }
  throw new Error(`unknown question ${question}`);
}
