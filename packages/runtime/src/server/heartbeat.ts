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
