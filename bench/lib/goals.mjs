/** The peers "best peer" is chosen from: the JSON ones, as svcgen's JSON row is compared. */
const peers = ["rpc-websockets", "socket.io", "trpc", "grpc"];

/**
 * The targets svcgen is held to, each a ratio between two results of the same run (so the
 * machine's speed cancels out). Issue 15's: ws-pipelined ≥ 1.5× the best peer, MessagePack
 * ≥ 1.2× JSON there, callback-push ≥ 1.6× raw ws, rest-50 ≥ 0.85× raw node:http, ws-seq
 * p50 ≤ 1.1× raw ws, heap per idle connection ≤ 1.25× raw ws.
 */
export const goals = [
  { scenario: "ws-pipelined", against: "raw-ws", op: ">=", target: 0.8 },
  { scenario: "ws-pipelined", against: "best peer", op: ">=", target: 1.5 },
  { scenario: "ws-seq", metric: "p50", against: "raw-ws", op: "<=", target: 1.1 },
  { scenario: "fanout-1000", against: "raw-ws", op: "<=", target: 1.25 },
  { scenario: "mem-per-conn", against: "raw-ws", op: "<=", target: 1.25 },
  { scenario: "rest-seq", against: "raw-http", op: ">=", target: 0.8 },
  { scenario: "rest-50", against: "raw-http", op: ">=", target: 0.85 },
  { scenario: "codec", against: "json", op: ">=", target: 0.5 },
  { scenario: "callback-push", against: "raw-ws", op: ">=", target: 1.6 },
  // What sessions (seq, acks, replay buffer) cost, against the same client without them;
  // both send one message per frame.
  {
    scenario: "callback-push",
    subject: "svcgen-sessions",
    against: "svcgen-plain",
    op: ">=",
    target: 0.9,
  },
  {
    scenario: "ws-pipelined",
    subject: "svcgen-sessions",
    against: "svcgen-plain",
    op: ">=",
    target: 0.9,
  },
  // The binary encoding, against the same client on JSON.
  {
    scenario: "ws-pipelined",
    subject: "svcgen-msgpack",
    against: "svcgen",
    op: ">=",
    target: 1.2,
  },
  {
    scenario: "mem-per-conn",
    subject: "svcgen-sessions",
    against: "svcgen-plain",
    op: "<=",
    target: 1.15,
  },
];

/** Evaluates every goal whose scenario is in `scenarios` (entries of results.json). */
export function evaluateGoals(scenarios) {
  const evaluated = [];
  for (const goal of goals) {
    const scenario = scenarios.find((entry) => entry.id === goal.scenario);
    if (!scenario) continue;
    const { results, better } = goal.metric ? scenario.metrics[goal.metric] : scenario;
    const unit = goal.metric ? `${goal.metric}` : scenario.unit;
    const subject = goal.subject ?? "svcgen";
    const text =
      `${goal.scenario} ${unit}: ${subject} ${goal.op === ">=" ? "≥" : "≤"} ${goal.target}× ` +
      goal.against;
    const other = goal.against === "best peer" ? bestPeer(results, better) : goal.against;
    const mine = results[subject];
    const theirs = other ? results[other] : undefined;
    if (typeof mine !== "number" || typeof theirs !== "number") {
      evaluated.push({ ...goal, text, ratio: null, met: null, note: "not measured" });
      continue;
    }
    const ratio = mine / theirs;
    const met = goal.op === ">=" ? ratio >= goal.target : ratio <= goal.target;
    evaluated.push({ ...goal, text, compared: other, ratio, met });
  }
  return evaluated;
}

function bestPeer(results, better) {
  const measured = peers.filter((peer) => typeof results[peer] === "number");
  if (measured.length === 0) return undefined;
  const sign = better === "higher" ? 1 : -1;
  return measured.reduce((best, peer) =>
    sign * results[peer] > sign * results[best] ? peer : best,
  );
}
