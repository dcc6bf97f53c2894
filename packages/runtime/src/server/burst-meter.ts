/**
 * Bytes a session sent in the current burst: since the event loop last went to I/O. Until it
 * does, the client cannot have acknowledged any of them (the server has not read since),
 * whether they still sit in this process or have already left it. One shared setImmediate
 * per burst ends every meter's burst at once: no timer per session.
 */
let epoch = 0;
let advancing = false;

function advance(): void {
  advancing = false;
  epoch++;
}

export class BurstMeter {
  #epoch = -1;
  #bytes = 0;

  /** Counts `bytes` sent now. */
  add(bytes: number): void {
    if (this.#epoch !== epoch) {
      this.#epoch = epoch;
      this.#bytes = 0;
      if (!advancing) {
        advancing = true;
        setImmediate(advance);
      }
    }
    this.#bytes += bytes;
  }

  /** Bytes sent since the event loop last went to I/O. */
  get bytes(): number {
    return this.#epoch === epoch ? this.#bytes : 0;
  }
}
