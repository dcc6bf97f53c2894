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
 * The heartbeat of many peers from one interval: a server with thousands of connections
 * keeps one timer, not one per connection. Each tick pings every member and declares dead
 * the ones that left the two previous pings unanswered (as Heartbeat does for one peer).
 */
export class HeartbeatSweep {
  readonly #members = new Set<HeartbeatMember>();
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
  }

  add(member: HeartbeatMember): void {
    this.#members.add(member);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
      // A heartbeat alone must not keep a process alive.
      (this.#timer as { unref?: () => void }).unref?.();
    }
  }

  delete(member: HeartbeatMember): void {
    this.#members.delete(member);
    if (this.#members.size === 0) this.stop();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    // A copy: declaring a member dead may remove it (and others) from the set.
    for (const member of [...this.#members]) {
      if (member.unanswered >= 2) {
        this.#members.delete(member);
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
    if (this.#members.size === 0) this.stop();
  }
}
