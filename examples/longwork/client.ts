import type { LongWork, WorkListener, WorkOptions } from "../../generated/longwork.js";

/** How one piece of work ended, as its listener heard it. */
export type WorkOutcome =
  | {
      readonly name: string;
      readonly workId: string;
      readonly finished: true;
      readonly durationMillis: bigint;
    }
  | {
      readonly name: string;
      readonly workId: string;
      readonly finished: false;
      readonly reason: string;
    };

/** What the caller sees of the work while it runs. */
export interface WorkObserver {
  started?(name: string, workId: string): void;
  progress(name: string, percent: number): void;
  ended(outcome: WorkOutcome): void;
}

/**
 * Starts `name` on the server and resolves when its listener hears that it finished or
 * failed. The listener is a plain object: the server calls it back over the WebSocket,
 * nobody polls. Each piece of work gets its own listener, so it needs no bookkeeping.
 */
export async function runWork(
  longWork: LongWork,
  name: string,
  options: WorkOptions | undefined,
  observer: WorkObserver,
): Promise<WorkOutcome> {
  let settle!: (outcome: WorkOutcome) => void;
  const ended = new Promise<WorkOutcome>((resolve) => (settle = resolve));
  const end = (outcome: WorkOutcome): void => {
    observer.ended(outcome);
    settle(outcome);
  };
  const listener: WorkListener = {
    progress: (_workId, percent) => observer.progress(name, percent),
    finished: (workId, durationMillis) => end({ name, workId, finished: true, durationMillis }),
    failed: (workId, reason) => end({ name, workId, finished: false, reason }),
  };
  const workId = await longWork.startWork(name, listener, options);
  observer.started?.(name, workId);
  return ended;
}
