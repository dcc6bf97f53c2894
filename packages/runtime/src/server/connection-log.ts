/**
 * The log of one connection. A hostile client can make the same warning happen once per
 * frame; the server log must not grow with it. Each distinct warning is logged the first
 * few times, then only at every power of ten (with the count so far), and once more when
 * the connection closes if some went unlogged since. Errors are never held back: each
 * carries an incident id that a client may quote.
 */
import type { Logger } from "./options.js";

/** How many times a warning is logged in full before only counts follow. */
export const warningBurst = 5;

export class ConnectionLog implements Logger {
  readonly #logger: Logger;
  readonly #connection: string;
  /** Times each warning happened; made on the first warning. */
  #counts: Map<string, number> | undefined;

  constructor(logger: Logger, connection: string) {
    this.#logger = logger;
    this.#connection = connection;
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.#logger.info(message, { connection: this.#connection, ...fields });
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    const counts = (this.#counts ??= new Map());
    const count = (counts.get(message) ?? 0) + 1;
    counts.set(message, count);
    if (count <= warningBurst) {
      this.#logger.warn(message, { connection: this.#connection, ...fields });
    } else if (isPowerOfTen(count)) {
      this.#logger.warn(message, { connection: this.#connection, ...fields, repeated: count });
    }
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.#logger.error(message, { connection: this.#connection, ...fields });
  }

  /** The connection closed: the final count of each warning some of whose repeats went unlogged. */
  flush(): void {
    if (this.#counts === undefined) return;
    for (const [message, count] of this.#counts) {
      if (count > warningBurst && !isPowerOfTen(count)) {
        this.#logger.warn(message, { connection: this.#connection, repeated: count });
      }
    }
    this.#counts = undefined;
  }
}

function isPowerOfTen(count: number): boolean {
  let n = count;
  while (n >= 10 && n % 10 === 0) n /= 10;
  return n === 1;
}
