/**
 * Work due at the end of the current turn of the event loop, for any number of owners, with
 * one scheduled callback per turn instead of one per owner: a broadcast to 1,000 sockets
 * that coalesce schedules one end-of-turn flush, not 1,000 (each a closure, a microtask and a
 * tick).
 *
 * The end of the turn is after every microtask the turn queued, before the event loop goes
 * back to I/O. In Node a tick queued from a microtask runs once the microtask queue is
 * empty, so the answers of calls resolved in the same turn (each a few promise steps deep)
 * all make it; elsewhere a microtask is the nearest point.
 */

export interface TurnEndTask {
  /** Runs once at the end of the turn it was queued in. */
  turnEnded(): void;
}

let due: TurnEndTask[] = [];

function runDue(): void {
  // Tasks queued while these run belong to a turn end of their own.
  const tasks = due;
  due = [];
  let failure: { error: unknown } | undefined;
  for (const task of tasks) {
    try {
      task.turnEnded();
    } catch (error) {
      // One failing task must not keep the others' frames back; the error still surfaces.
      failure ??= { error };
    }
  }
  if (failure !== undefined) throw failure.error;
}

const nextTick =
  typeof process !== "undefined" && typeof process.nextTick === "function"
    ? () => process.nextTick(runDue)
    : runDue;

/** Queues `task` for the end of the current turn (once: the caller keeps track). */
export function atTurnEnd(task: TurnEndTask): void {
  if (due.push(task) === 1) queueMicrotask(nextTick);
}
