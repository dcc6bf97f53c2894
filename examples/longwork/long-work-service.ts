import { setTimeout as sleep } from "node:timers/promises";
import { ErrorCode, RpcError } from "@svcgen/runtime";
import type { CallbackProxy } from "@svcgen/runtime";
import { LongWorkBase, WorkNotFound } from "../../generated/longwork.js";
import type { WorkListener, WorkOptions } from "../../generated/longwork.js";

/** A piece of work as it will run, every default applied. */
interface WorkPlan {
  readonly steps: number;
  readonly stepMillis: number;
  readonly failAtStep: number | undefined;
}

const DEFAULT_STEPS = 10;
const DEFAULT_STEP_MILLIS = 100;
/** Bounds that keep one request from occupying the server for hours. */
const MAX_STEPS = 1000;
const MAX_STEP_MILLIS = 10_000;

/**
 * The long work of idl/longwork.svc. `startWork` answers at once with an id and the work
 * runs in the background, pushing progress to the caller's listener over its WebSocket.
 * Work whose listener goes away (released, or the connection closed) stops: nobody is
 * left to tell.
 */
export class LongWorkService extends LongWorkBase {
  private readonly running = new Map<string, AbortController>();
  /** Works per listener: a client may pass one listener object to several works. */
  private readonly listenerUse = new Map<CallbackProxy<WorkListener>, number>();
  private started = 0;

  startWork(
    name: string,
    listener: CallbackProxy<WorkListener>,
    options: WorkOptions | undefined,
  ): string {
    const plan = planWork(options);
    this.started++;
    const workId = `${name}#${this.started}`;
    const controller = new AbortController();
    this.running.set(workId, controller);
    listener.onRelease(() => controller.abort());
    this.listenerUse.set(listener, (this.listenerUse.get(listener) ?? 0) + 1);
    void this.run(workId, plan, listener, controller.signal).finally(() => {
      this.running.delete(workId);
      this.letGo(listener);
    });
    return workId;
  }

  cancelWork(workId: string): void {
    const controller = this.running.get(workId);
    if (!controller) throw new WorkNotFound({ workId }, `no work "${workId}" is running`);
    this.running.delete(workId);
    controller.abort();
  }

  totalWorkCount(): number {
    return this.started;
  }

  /** Releases a listener once none of its works runs, so neither side keeps it. */
  private letGo(listener: CallbackProxy<WorkListener>): void {
    const use = (this.listenerUse.get(listener) ?? 1) - 1;
    if (use > 0) {
      this.listenerUse.set(listener, use);
      return;
    }
    this.listenerUse.delete(listener);
    if (!listener.released) listener.release("work ended");
  }

  private async run(
    workId: string,
    plan: WorkPlan,
    listener: CallbackProxy<WorkListener>,
    signal: AbortSignal,
  ): Promise<void> {
    const startedAt = performance.now();
    try {
      for (let step = 1; step <= plan.steps; step++) {
        await sleep(plan.stepMillis, undefined, { signal });
        if (step === plan.failAtStep) throw new Error(`step ${step} of ${plan.steps} failed`);
        await listener.progress(workId, (step / plan.steps) * 100);
      }
      const durationMillis = BigInt(Math.round(performance.now() - startedAt));
      await listener.finished(workId, durationMillis);
    } catch (error) {
      // A released listener cannot be told anything; its work simply ends.
      if (listener.released) return;
      const reason = signal.aborted ? "cancelled" : errorMessage(error);
      await listener.failed(workId, reason).catch(() => undefined);
    }
  }
}

function planWork(options: WorkOptions | undefined): WorkPlan {
  const steps = options?.steps ?? DEFAULT_STEPS;
  const stepMillis = options?.stepMillis ?? DEFAULT_STEP_MILLIS;
  if (steps < 1 || steps > MAX_STEPS) {
    throw new RpcError(ErrorCode.InvalidParams, `steps must be between 1 and ${MAX_STEPS}`);
  }
  if (stepMillis < 0 || stepMillis > MAX_STEP_MILLIS) {
    throw new RpcError(
      ErrorCode.InvalidParams,
      `stepMillis must be between 0 and ${MAX_STEP_MILLIS}`,
    );
  }
  return { steps, stepMillis, failAtStep: options?.failAtStep };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
