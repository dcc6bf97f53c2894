/**
 * Questions over the IPC channel between the benchmark and its children: the parent
 * `ask`s, the child answers with `serveQuestions`. A child that exits or stays silent past
 * the deadline fails the question with a message naming it.
 */

let nextId = 1;

/** Asks `child` (a ChildProcess with IPC) `question`; resolves with its answer. */
export function ask(child, label, question, timeoutMs) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    const onMessage = (message) => {
      if (message?.type !== "answer" || message.id !== id) return;
      done();
      if (message.error !== undefined) reject(new Error(`${label}: ${message.error}`));
      else resolve(message.answer);
    };
    const onExit = (code, signal) => {
      done();
      reject(
        new Error(`${label} exited (${signal ?? code}) before answering ${describe(question)}`),
      );
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${label}: no answer to ${describe(question)} within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on("message", onMessage);
    child.once("exit", onExit);
    child.send({ type: "ask", id, question }, (error) => {
      if (error) {
        done();
        reject(new Error(`${label}: cannot ask ${describe(question)}: ${error.message}`));
      }
    });
  });
}

/**
 * In a child: answers each question with `handlers[question.kind](question)` (sync or
 * async). A handler that throws answers with the error's message.
 */
export function serveQuestions(handlers) {
  process.on("message", async (message) => {
    if (message?.type !== "ask") return;
    const { id, question } = message;
    let reply;
    try {
      const handler = handlers[question.kind];
      if (handler === undefined) throw new Error(`unknown question ${question.kind}`);
      reply = { type: "answer", id, answer: await handler(question) };
    } catch (error) {
      reply = { type: "answer", id, error: error instanceof Error ? error.message : String(error) };
    }
    if (process.connected) process.send(reply);
  });
}

function describe(question) {
  return question?.kind ?? JSON.stringify(question);
}
