import { setTimeout as sleep } from "node:timers/promises";
import type { LongWork } from "../../generated/longwork.js";
import type { WorkOptions } from "../../generated/longwork.js";
import { runWork } from "../longwork/client.js";
import type { WorkOutcome } from "../longwork/client.js";
import type { ProgressBoard } from "./progress-board.js";

interface DemoWork {
  readonly name: string;
  readonly options: WorkOptions;
  /** Cancelled with cancelWork this long after it started. */
  readonly cancelAfterMillis?: number;
}

/** Several pieces of work at once: most finish, one fails on purpose, one is cancelled. */
const DEMO_WORKS: readonly DemoWork[] = [
  { name: "compile", options: { steps: 10, stepMillis: 80 } },
  { name: "test", options: { steps: 16, stepMillis: 70 } },
  { name: "package", options: { steps: 8, stepMillis: 120 } },
  { name: "deploy", options: { steps: 10, stepMillis: 90, failAtStep: 7 } },
  { name: "nightly", options: { steps: 50, stepMillis: 100 }, cancelAfterMillis: 500 },
];

/** Runs the demo works concurrently, drawing their progress on `board` as it is pushed. */
export async function runLongWorkPart(
  longWork: LongWork,
  board: ProgressBoard,
): Promise<WorkOutcome[]> {
  for (const work of DEMO_WORKS) board.add(work.name, work.name);
  const observer = {
    progress: (name: string, percent: number) => board.update(name, percent),
    ended: (outcome: WorkOutcome) =>
      board.end(
        outcome.name,
        outcome.finished ? `done in ${outcome.durationMillis} ms` : `failed: ${outcome.reason}`,
      ),
  };
  return Promise.all(
    DEMO_WORKS.map(async (work) => {
      const cancel = work.cancelAfterMillis;
      if (cancel === undefined) return runWork(longWork, work.name, work.options, observer);
      return runWork(longWork, work.name, work.options, {
        ...observer,
        started: (_name, workId) => {
          // Should the work end first, WorkNotFound says so; the outcome shows it anyway.
          void sleep(cancel)
            .then(() => longWork.cancelWork(workId))
            .catch(() => undefined);
        },
      });
    }),
  );
}
