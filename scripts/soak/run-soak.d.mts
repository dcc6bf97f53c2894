/** Types of run-soak.mjs, for the bounded soak under test/reliability. */
export interface SoakOptions {
  /** WebSocket clients that join (default 1000). */
  readonly clients?: number;
  /** Share of them cut abruptly while broadcasts run (default 0.25). */
  readonly killFraction?: number;
  /** Messages broadcast (default 50). */
  readonly messages?: number;
  /** Clients of the unmeasured warm-up pass (default: as many as the soak). */
  readonly warmupClients?: number;
  /** Clients connecting at once (default 50). */
  readonly connectBatch?: number;
}

export interface SoakFigures {
  readonly clients: number;
  readonly joined: number;
  readonly killed: number;
  readonly messages: number;
  readonly killedReleases: number;
  readonly killedReleasedOnceDisconnected: number;
  readonly liveReleasedEarly: number;
  readonly releasesSeen: number;
  readonly releasedMoreThanOnce: number;
  readonly lost: number;
  readonly outOfOrder: number;
  readonly groupSizeAfter: number;
  readonly callbacksHeldAfter: number;
  readonly connectionsAfter: number;
  readonly timersBefore: number;
  readonly timersAfter: number;
  /** Heap in use after a full GC; absent without `--expose-gc`. */
  readonly heapBefore?: number;
  readonly heapAfter?: number;
}

export function runSoak(
  runtime: typeof import("@svcgen/runtime"),
  options?: SoakOptions,
): Promise<SoakFigures>;

export function violations(figures: SoakFigures): string[];
