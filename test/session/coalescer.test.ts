/**
 * Coalesced frames on their own: `join` of both encodings (already encoded messages become
 * one batch, bytes unchanged), the MessagePack seq stamp, and the Coalescer's caps and order.
 */
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { decode as referenceDecode } from "@msgpack/msgpack";
import { Unpackr } from "msgpackr";
import { jsonEncoding, msgpackEncoding } from "@svcgen/runtime";
import {
  Coalescer,
  jsonSequenceEncoding,
  msgpackSequenceEncoding,
  type Frame,
} from "../../packages/runtime/src/session/index.js";

const json = jsonSequenceEncoding();
const msgpack = msgpackSequenceEncoding();
const jsonWire = jsonEncoding();
const msgpackWire = msgpackEncoding();
const text = (frame: Frame) =>
  typeof frame === "string" ? frame : new TextDecoder().decode(frame);

const message = (i: number, pad = "") => ({
  jsonrpc: "2.0",
  method: "$/callback",
  params: { callback: "c1", method: "tick", args: { i, pad } },
});

describe("join", () => {
  test("JSON: text frames become one batch array, each message unchanged", () => {
    const frames = [1, 2, 3].map((i) => JSON.stringify(message(i, "é")));
    const joined = json.join(frames);
    expect(typeof joined).toBe("string");
    expect(JSON.parse(joined as string)).toEqual([1, 2, 3].map((i) => message(i, "é")));
  });

  test("JSON: UTF-8 byte frames (and a mix) join as bytes", () => {
    const bytes = new TextEncoder().encode(JSON.stringify(message(1, "ü")));
    const joined = json.join([bytes, JSON.stringify(message(2))]);
    expect(joined).toBeInstanceOf(Uint8Array);
    expect(JSON.parse(text(joined))).toEqual([message(1, "ü"), message(2)]);
    expect(json.byteLength(joined)).toBe(bytes.byteLength + JSON.stringify(message(2)).length + 3);
  });

  test("MessagePack: an array header and the messages' bytes, read by every decoder", () => {
    for (const count of [1, 15, 16, 300, 70_000]) {
      const frames = Array.from({ length: count }, (_, i) => msgpackWire.encode({ i }));
      const joined = msgpack.join(frames) as Uint8Array;
      const expected = Array.from({ length: count }, (_, i) => ({ i }));
      expect(JSON.stringify(msgpackWire.decode(joined).value)).toBe(JSON.stringify(expected));
      expect(JSON.stringify(referenceDecode(joined))).toBe(JSON.stringify(expected));
      const size = frames.reduce((sum, f) => sum + (f as Uint8Array).byteLength, 0);
      expect(joined.byteLength - size).toBeLessThanOrEqual(count + 5);
    }
    expect(() => msgpack.join(["{}"])).toThrow(TypeError);
  });
});

describe("MessagePack seq stamp", () => {
  test("puts seq first and keeps every member, for every map header size and seq width", () => {
    const unpackr = new Unpackr({ mapsAsObjects: true, useRecords: false, int64AsType: "number" });
    for (const members of [0, 3, 14, 15, 16, 300]) {
      const value: Record<string, number> = {};
      for (let i = 0; i < members; i++) value[`k${i}`] = i;
      const frame = msgpackWire.encode(value);
      for (const seq of [
        1,
        127,
        128,
        255,
        256,
        65_535,
        65_536,
        2 ** 32 - 1,
        2 ** 32,
        2 ** 53 - 1,
      ]) {
        const stamped = msgpack.stamp(frame, seq) as Uint8Array;
        const decoded = msgpackWire.decode(stamped).value as Record<string, unknown>;
        const other = unpackr.unpack(stamped) as Record<string, unknown>;
        expect(Object.keys(decoded)[0]).toBe("seq");
        // (compared as text: deep equality of 70,000 members is slow)
        expect(JSON.stringify(decoded)).toBe(JSON.stringify({ seq, ...value }));
        expect(JSON.stringify(other)).toBe(JSON.stringify(decoded));
      }
    }
  });

  test("reads a map32 header too (another encoder may write one for a small map)", () => {
    const frame = new Uint8Array([0xdf, 0, 0, 0, 1, 0xa1, 0x61, 0x01]);
    expect(msgpackWire.decode(msgpack.stamp(frame, 300)).value).toEqual({ seq: 300, a: 1 });
  });

  test("refuses what is not a map", () => {
    expect(() => msgpack.stamp(msgpackWire.encode([1]), 1)).toThrow(TypeError);
    expect(() => msgpack.stamp(new Uint8Array(0), 1)).toThrow(TypeError);
    expect(() => msgpack.stamp("{}", 1)).toThrow(TypeError);
  });
});

/** A coalescer whose turns end when the test says so. */
function harness(options: { maxFrameBytes?: number; maxMessages?: number } = {}) {
  const emitted: Frame[] = [];
  let turnEnd: (() => void) | undefined;
  const coalescer = new Coalescer(
    json,
    { emitFrame: (frame) => void emitted.push(frame) },
    {
      ...options,
      schedule: (flush) => {
        expect(turnEnd).toBeUndefined(); // scheduled once per turn
        turnEnd = flush;
      },
    },
  );
  const endTurn = () => {
    const flush = turnEnd;
    turnEnd = undefined;
    flush?.();
  };
  return { coalescer, emitted, endTurn };
}

describe("Coalescer", () => {
  test("a turn's messages leave as one batch at the end of the turn, in order", () => {
    const { coalescer, emitted, endTurn } = harness();
    for (let i = 0; i < 10; i++) coalescer.push(JSON.stringify(message(i)));
    expect(emitted).toHaveLength(0);
    expect(coalescer.pending).toBe(true);
    endTurn();
    expect(emitted).toHaveLength(1);
    expect(JSON.parse(text(emitted[0]!))).toEqual(Array.from({ length: 10 }, (_, i) => message(i)));
    expect(coalescer.pendingBytes).toBe(0);
  });

  test("a message alone in its turn goes as itself, not as a batch of one", () => {
    const { coalescer, emitted, endTurn } = harness();
    coalescer.push(JSON.stringify(message(1)));
    endTurn();
    expect(JSON.parse(text(emitted[0]!))).toEqual(message(1));
  });

  test("a frame never exceeds the byte cap; a larger message goes alone, in its place", () => {
    const cap = 1000;
    const { coalescer, emitted, endTurn } = harness({ maxFrameBytes: cap });
    const small = JSON.stringify(message(0, "x".repeat(200)));
    const big = JSON.stringify(message(1, "y".repeat(2000)));
    for (let i = 0; i < 7; i++) coalescer.push(small);
    coalescer.push(big);
    coalescer.push(small);
    endTurn();
    const sizes = emitted.map((frame) => json.byteLength(frame));
    const parsed = emitted.map((frame) => JSON.parse(text(frame)));
    // 7 small ones in frames under the cap, then the big one alone, then the last small one.
    expect(sizes.slice(0, -2).every((size) => size <= cap)).toBe(true);
    expect(parsed.at(-2)).toEqual(JSON.parse(big));
    expect(parsed.at(-1)).toEqual(JSON.parse(small));
    expect(parsed.slice(0, -2).flat()).toHaveLength(7);
  });

  test("a frame holds at most maxMessages messages", () => {
    const { coalescer, emitted, endTurn } = harness({ maxMessages: 4 });
    for (let i = 0; i < 10; i++) coalescer.push(JSON.stringify(message(i)));
    endTurn();
    expect(emitted.map((frame) => [JSON.parse(text(frame))].flat().length)).toEqual([4, 4, 2]);
  });

  test("a full frame leaves at once, before the turn ends", () => {
    const { coalescer, emitted, endTurn } = harness({ maxMessages: 4 });
    for (let i = 0; i < 4; i++) coalescer.push(JSON.stringify(message(i)));
    // The peer can start on these four while this side goes on writing.
    expect(emitted).toHaveLength(1);
    coalescer.push(JSON.stringify(message(4)));
    expect(emitted).toHaveLength(1);
    endTurn();
    expect(emitted.map((frame) => [JSON.parse(text(frame))].flat().length)).toEqual([4, 1]);
  });

  test("by default the first frame of a turn leaves at 32 messages, later ones hold 100", () => {
    const { coalescer, emitted, endTurn } = harness();
    for (let i = 0; i < 250; i++) coalescer.push(JSON.stringify(message(i)));
    // Full frames leave as they fill; only the last waits for the end of the turn.
    expect(emitted.map((frame) => [JSON.parse(text(frame))].flat().length)).toEqual([32, 100, 100]);
    endTurn();
    expect(emitted.map((frame) => [JSON.parse(text(frame))].flat().length)).toEqual([
      32, 100, 100, 18,
    ]);
    // The next turn starts again with an early frame.
    for (let i = 0; i < 40; i++) coalescer.push(JSON.stringify(message(i)));
    endTurn();
    expect(emitted.slice(4).map((frame) => [JSON.parse(text(frame))].flat().length)).toEqual([
      32, 8,
    ]);
  });

  test("after the first frame of a turn the sink is corked, and uncorked when the turn ends", () => {
    const events: string[] = [];
    let turnEnd: (() => void) | undefined;
    const coalescer = new Coalescer(
      json,
      {
        emitFrame: (frame) => void events.push(`frame ${[JSON.parse(text(frame))].flat().length}`),
        cork: () => void events.push("cork"),
        uncork: () => void events.push("uncork"),
      },
      { schedule: (flush) => (turnEnd = flush) },
    );
    for (let i = 0; i < 20; i++) coalescer.push(JSON.stringify(message(i)));
    turnEnd!();
    expect(events).toEqual(["frame 20"]); // one frame: nothing to cork
    events.length = 0;
    for (let i = 0; i < 150; i++) coalescer.push(JSON.stringify(message(i)));
    turnEnd!();
    expect(events).toEqual(["frame 32", "cork", "frame 100", "frame 18", "uncork"]);
  });

  test("property: frames under the cap (or a lone message), every message once, in order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat(3000), { maxLength: 40 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 200, max: 4000 }),
        (turns, cap) => {
          const { coalescer, emitted, endTurn } = harness({ maxFrameBytes: cap, maxMessages: 9 });
          let next = 0;
          for (const turn of turns) {
            for (const size of turn)
              coalescer.push(JSON.stringify(message(next++, "é".repeat(size))));
            endTurn();
          }
          const received: number[] = [];
          for (const frame of emitted) {
            const value = JSON.parse(text(frame));
            if (Array.isArray(value)) {
              expect(json.byteLength(frame)).toBeLessThanOrEqual(cap);
              expect(value.length).toBeLessThanOrEqual(9);
              expect(value.length).toBeGreaterThan(1);
            }
            for (const m of [value].flat()) received.push(m.params.args.i);
          }
          expect(received).toEqual(Array.from({ length: next }, (_, i) => i));
        },
      ),
    );
  });

  test("flush sends now (before a close frame); stop drops what waits and takes nothing more", () => {
    const { coalescer, emitted, endTurn } = harness();
    coalescer.push(JSON.stringify(message(1)));
    coalescer.push(JSON.stringify(message(2)));
    coalescer.flush();
    expect(emitted).toHaveLength(1);
    coalescer.push(JSON.stringify(message(3)));
    coalescer.stop();
    coalescer.push(JSON.stringify(message(4)));
    endTurn();
    expect(emitted).toHaveLength(1);
    expect(coalescer.pending).toBe(false);
  });

  test("the default end of turn comes after the turn's promise chains, before I/O", async () => {
    const emitted: Frame[] = [];
    const coalescer = new Coalescer(json, { emitFrame: (frame) => void emitted.push(frame) });
    const answers = Array.from({ length: 20 }, async (_, i) => {
      // Each answer is a few promise steps away, as a dispatched call's is.
      for (let step = 0; step < i % 5; step++) await Promise.resolve();
      coalescer.push(JSON.stringify(message(i)));
    });
    await Promise.all(answers);
    await new Promise((resolve) => setImmediate(resolve));
    expect(emitted).toHaveLength(1);
    expect(JSON.parse(text(emitted[0]!))).toHaveLength(20);
    // Checked against the wire encoding's own decoder, too.
    expect((jsonWire.decode(emitted[0]!).value as unknown[]).length).toBe(20);
  });
});
