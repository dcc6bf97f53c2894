/**
 * Where this node is in one group's publications. Redis pub/sub keeps each channel's
 * order but drops what is published while a subscriber reconnects; every publication
 * carries `epoch offset` (scripts.ts), so a missing offset or a new epoch is seen here and
 * reported as a gap instead of passing silently.
 */

export type Publication = {
  readonly kind: "b" | "g" | "s";
  readonly epoch: string;
  readonly offset: number;
  readonly origin: string;
  readonly payload: string;
};

/** Splits `epoch offset kind origin\npayload`; undefined when malformed. */
export function readPublication(message: string): Publication | undefined {
  const newline = message.indexOf("\n");
  if (newline < 0) return undefined;
  const [epoch, offsetText, kind, origin] = message.slice(0, newline).split(" ");
  const offset = Number(offsetText);
  if (epoch === undefined || origin === undefined || !Number.isSafeInteger(offset)) {
    return undefined;
  }
  if (kind !== "b" && kind !== "g" && kind !== "s") return undefined;
  return { kind, epoch, offset, origin, payload: message.slice(newline + 1) };
}

export class GroupPosition {
  #epoch: string | undefined;
  #offset = 0;

  /**
   * Takes the next publication; returns true when publications were missed before it.
   * A sync marker ("s") tells the current offset; anything else takes the next one.
   */
  advance(publication: Publication): boolean {
    const { epoch, offset, kind } = publication;
    const expected = kind === "s" ? this.#offset : this.#offset + 1;
    const gap = this.#epoch !== undefined && (epoch !== this.#epoch || offset !== expected);
    this.#epoch = epoch;
    this.#offset = offset;
    return gap;
  }
}
