#!/usr/bin/env node
/**
 * `npm run soak` (= node --expose-gc scripts/soak.mjs [clients]): the load-and-leak soak
 * against the built runtime (run `npm run build` first). Prints its figures; exits 1 on any
 * violation. See docs/reliability.md.
 */
import * as runtime from "../packages/runtime/dist/index.js";
import { runSoak, violations } from "./soak/run-soak.mjs";

const clients = Number(process.argv[2] ?? 1000);
if (typeof globalThis.gc !== "function") {
  console.error("soak: run with --expose-gc (npm run soak) to check the heap");
}

const started = Date.now();
const figures = await runSoak(runtime, { clients });
const mib = (bytes) => (bytes === undefined ? "n/a" : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);
console.log(`clients           ${figures.clients} (joined ${figures.joined})`);
console.log(`killed            ${figures.killed}`);
console.log(`messages sent     ${figures.messages} per client`);
console.log(
  `releases seen     ${figures.releasesSeen} (killed: ${figures.killedReleasedOnceDisconnected} once with "disconnected"; more than once: ${figures.releasedMoreThanOnce})`,
);
console.log(`messages lost     ${figures.lost} (clients out of order: ${figures.outOfOrder})`);
console.log(
  `held after        connections ${figures.connectionsAfter}, callbacks ${figures.groupSizeAfter + figures.callbacksHeldAfter}, timers ${figures.timersAfter - figures.timersBefore}`,
);
console.log(`heap              before ${mib(figures.heapBefore)}, after ${mib(figures.heapAfter)}`);
console.log(`took              ${((Date.now() - started) / 1000).toFixed(1)} s`);

const problems = violations(figures);
for (const problem of problems) console.error(`VIOLATION: ${problem}`);
console.log(problems.length === 0 ? "soak: ok" : `soak: ${problems.length} violation(s)`);
process.exit(problems.length === 0 ? 0 : 1);
