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

/** Cuts the connection once, mid-job (the demo's network fault). */
export type CutMidJob = () => void;

/** What the long-work part saw: the outcomes, and progress updates missing from finished work. */
export interface LongWorkReport {
  readonly outcomes: WorkOutcome[];
  /** Steps of finished work whose progress never arrived (0: no gap). */
  readonly missedUpdates: number;
}

/**
 * Runs the demo works concurrently, drawing their progress on `board` as it is pushed.
 * With `cutMidJob`, the connection is cut once while the works run (when "compile" is
 * past 40 %): the session resumes and the bars go on.
 */
export async function runLongWorkPart(
  longWork: LongWork,
  board: ProgressBoard,
  cutMidJob?: CutMidJob,
): Promise<LongWorkReport> {
  for (const work of DEMO_WORKS) board.add(work.name, work.name);
  let cut = cutMidJob;
  const updates = new Map<string, number>();
  const observer = {
    progress: (name: string, percent: number) => {
      updates.set(name, (updates.get(name) ?? 0) + 1);
      board.update(name, percent);
      if (cut !== undefined && name === "compile" && percent >= 40) {
        cut();
        cut = undefined;
      }
    },
    ended: (outcome: WorkOutcome) =>
      board.end(
        outcome.name,
        outcome.finished ? `done in ${outcome.durationMillis} ms` : `failed: ${outcome.reason}`,
      ),
  };
  const outcomes = await Promise.all(
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
  // One progress per step: a finished work that heard fewer had a gap.
  let missedUpdates = 0;
  for (const outcome of outcomes) {
    const work = DEMO_WORKS.find((w) => w.name === outcome.name)!;
    if (outcome.finished)
      missedUpdates += (work.options.steps ?? 10) - (updates.get(work.name) ?? 0);
  }
  return { outcomes, missedUpdates };
}
