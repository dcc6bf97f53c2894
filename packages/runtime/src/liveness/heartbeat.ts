/**
 * Liveness of one WebSocket peer: ping every `intervalMs`; a peer that left two pings in a
 * row unanswered is declared dead. Transport-neutral (the caller supplies ping and
 * terminate), so the server and the Node client share it.
 */
export class Heartbeat {
  private unanswered = 0;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    intervalMs: number,
    private readonly ping: () => void,
    private readonly onDead: () => void,
  ) {
    this.timer = setInterval(() => this.tick(), intervalMs);
    // A heartbeat alone must not keep a process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Call on every pong (any sign of life from the peer would do). */
  alive(): void {
    this.unanswered = 0;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    if (this.unanswered >= 2) {
      this.stop();
      this.onDead();
      return;
    }
    this.unanswered++;
    try {
      this.ping();
    } catch {
      // A ping on a closing socket fails; the close handler will stop us.
    }
  }
}

/** One peer watched by a HeartbeatSweep. */
export interface HeartbeatMember {
  /** Pings the sweep sent since the member's last pong. */
  unanswered: number;
  ping(): void;
  /** The peer left two pings in a row unanswered. */
  onDead(): void;
}

/**
 * The heartbeat of many peers from one timer: a server with thousands of connections keeps
 * one timer, not one per connection. Members are dealt round-robin into slices, and the
 * interval into as many steps (one per 100 ms, at most 16): each step pings one slice, so
 * that the pings (a write each) are spread over the interval instead of holding the event
 * loop, and the pongs they ask for, in one burst. Every member is pinged once per interval
 * and declared dead when it left the two previous pings unanswered (as Heartbeat does for
 * one peer).
 */
export class HeartbeatSweep {
  readonly #slices: Set<HeartbeatMember>[];
  readonly #stepMs: number;
  #size = 0;
  /** The slice the next member joins, and the one the next step pings. */
  #nextSlice = 0;
  #nextStep = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(intervalMs: number) {
    const steps = Math.max(1, Math.min(16, Math.floor(intervalMs / 100)));
    this.#slices = Array.from({ length: steps }, () => new Set<HeartbeatMember>());
    this.#stepMs = intervalMs / steps;
  }

  add(member: HeartbeatMember): void {
    const slice = this.#slices[this.#nextSlice]!;
    this.#nextSlice = (this.#nextSlice + 1) % this.#slices.length;
    if (this.#slices.some((s) => s.has(member))) return;
    slice.add(member);
    this.#size++;
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#step(), this.#stepMs);
      // A heartbeat alone must not keep a process alive.
      (this.#timer as { unref?: () => void }).unref?.();
    }
  }

  delete(member: HeartbeatMember): void {
    for (const slice of this.#slices) {
      if (slice.delete(member)) {
        this.#size--;
        break;
      }
    }
    if (this.#size === 0) this.stop();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #step(): void {
    const slice = this.#slices[this.#nextStep]!;
    this.#nextStep = (this.#nextStep + 1) % this.#slices.length;
    // A copy: declaring a member dead may remove it (and others) from the slice.
    for (const member of [...slice]) {
      if (member.unanswered >= 2) {
        this.delete(member);
        member.onDead();
        continue;
      }
      member.unanswered++;
      try {
        member.ping();
      } catch {
        // A ping on a closing socket fails; its close handler removes the member.
      }
    }
  }
}
