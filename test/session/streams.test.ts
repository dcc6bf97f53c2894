/** The session layer on its own: seq assignment, acks, replay, conflation, the seq check. */
import { describe, expect, jest, test } from "@jest/globals";
import fc from "fast-check";
import {
  InboundStream,
  OutboundStream,
  jsonSequenceEncoding,
  utf8Length,
  type Frame,
} from "../../packages/runtime/src/session/index.js";

const encoding = jsonSequenceEncoding();
const text = (frame: Frame) =>
  typeof frame === "string" ? frame : new TextDecoder().decode(frame);
const seqOf = (frame: Frame) => JSON.parse(text(frame)).seq as number;
const valueOf = (frame: Frame) => JSON.parse(text(frame)).params.v as unknown;
const message = (v: unknown) => JSON.stringify({ jsonrpc: "2.0", method: "m", params: { v } });

function stream(congestedBytes = 1 << 20) {
  const sent: Frame[] = [];
  const out = new OutboundStream({ encoding, congestedBytes });
  return { out, sent, wire: (frame: Frame) => void sent.push(frame) };
}

describe("frames", () => {
  test("seq is spliced into JSON text and UTF-8 bytes alike, the rest unchanged", () => {
    const frame = message("é");
    expect(JSON.parse(text(encoding.stamp(frame, 7)))).toEqual({ seq: 7, ...JSON.parse(frame) });
    const bytes = new TextEncoder().encode(frame);
    expect(JSON.parse(text(encoding.stamp(bytes, 8)))).toEqual({ seq: 8, ...JSON.parse(frame) });
    expect(() => encoding.stamp("[1]", 1)).toThrow(TypeError);
  });

  test("utf8Length counts like Buffer.byteLength", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (s) => {
        expect(utf8Length(s)).toBe(Buffer.byteLength(s));
      }),
    );
  });
});

describe("OutboundStream", () => {
  test("seq from 1 without gaps; kept until acknowledged; bytes follow", () => {
    const { out, sent, wire } = stream();
    out.attach({ write: wire }, 0);
    for (let i = 1; i <= 5; i++) out.send(message(i));
    expect(sent.map(seqOf)).toEqual([1, 2, 3, 4, 5]);
    expect(out.unackedCount).toBe(5);
    const total = out.bytes;
    expect(total).toBe(sent.reduce((sum, f) => sum + encoding.byteLength(f), 0));
    expect(out.ack(3)).toBe(true);
    expect(out.unackedCount).toBe(2);
    expect(out.bytes).toBe(encoding.byteLength(sent[3]!) + encoding.byteLength(sent[4]!));
    expect(out.ack(9)).toBe(false); // never sent
    out.ack(5);
    expect(out.bytes).toBe(0);
  });

  test("a resume replays exactly what the peer has not acknowledged, with the original seq", () => {
    const { out, sent, wire } = stream();
    out.attach({ write: wire }, 0);
    for (let i = 1; i <= 4; i++) out.send(message(i));
    out.detach();
    out.send(message(5)); // while detached: sequenced, kept, not written
    expect(sent).toHaveLength(4);
    const replayed: Frame[] = [];
    expect(out.attach({ write: (f) => void replayed.push(f) }, 2)).toBe(true);
    expect(replayed.map(seqOf)).toEqual([3, 4, 5]);
    expect(replayed.map(valueOf)).toEqual([3, 4, 5]);
    expect(out.attach({ write: () => undefined }, 6)).toBe(false); // acknowledges the future
  });

  test("conflation: while detached the newest message of a key replaces the older, order kept", () => {
    const { out, wire } = stream();
    out.send(message("a1"), "a");
    out.send(message("b1"), "b");
    out.send(message("a2"), "a");
    out.send(message("plain")); // after a queued one: waits too, never overtakes
    out.send(message("a3"), "a");
    const got: Frame[] = [];
    out.attach({ write: (f) => void got.push(f) }, 0);
    expect(got.map(valueOf)).toEqual(["b1", "plain", "a3"]);
    expect(got.map(seqOf)).toEqual([1, 2, 3]); // no gap where a1 and a2 were dropped
    void wire;
  });

  test("conflation: attached and congested, queued until acks make room", () => {
    const stamped = encoding.stamp(message(1), 1);
    const { out, sent, wire } = stream(encoding.byteLength(stamped) * 2);
    out.attach({ write: wire }, 0);
    out.send(message(1), "k");
    out.send(message(2), "k");
    out.send(message(3), "k"); // congested now: waits
    out.send(message(4), "k"); // replaces 3
    expect(sent.map(valueOf)).toEqual([1, 2]);
    out.ack(2);
    expect(sent.map(valueOf)).toEqual([1, 2, 4]);
    expect(sent.map(seqOf)).toEqual([1, 2, 3]);
  });

  test("property: any interleaving of sends, cuts, acks and resumes delivers 1..n once in order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant("send"), fc.constant("cut"), fc.constant("resume")), {
          maxLength: 200,
        }),
        fc.array(fc.nat(), { maxLength: 200 }),
        (ops, lossy) => {
          const out = new OutboundStream({ encoding, congestedBytes: 1 << 20 });
          const received: number[] = [];
          let last = 0;
          let loss = 0;
          let broken = false;
          // A socket that breaks at random: from the first lost frame on, nothing arrives
          // until the next resume (TCP loses a tail, never a frame in the middle).
          const deliver = (frame: Frame) => {
            if (broken || (lossy[loss++ % Math.max(1, lossy.length)] ?? 1) % 5 === 0) {
              broken = true;
              return;
            }
            const seq = seqOf(frame);
            if (seq <= last) return; // duplicate
            expect(seq).toBe(last + 1); // a gap would be a bug
            last = seq;
            received.push(valueOf(frame) as number);
          };
          let attached = false;
          let n = 0;
          for (const op of ops) {
            if (op === "send") out.send(message(++n));
            else if (op === "cut") {
              out.detach();
              attached = false;
            } else {
              broken = false;
              out.attach({ write: deliver }, last);
              attached = true;
            }
            if (attached && n % 7 === 0) out.ack(last);
          }
          lossy = []; // the final resume is clean
          broken = false;
          out.attach({ write: deliver }, last);
          expect(received).toEqual(Array.from({ length: n }, (_, i) => i + 1));
        },
      ),
      { seed: 14, numRuns: 200 },
    );
  });
});

describe("InboundStream", () => {
  // Every test here runs on fake timers and lets the shared ack timer (ack-delay.ts) run
  // out before it ends, so that no test leaves it armed on a clock the next one lacks.
  test("accepts last+1, drops duplicates, reports a jump", () => {
    jest.useFakeTimers();
    try {
      const inbound = new InboundStream({ sendAck: () => true });
      expect(inbound.receive(1, 10)).toBe("accept");
      expect(inbound.receive(1, 10)).toBe("duplicate");
      expect(inbound.receive(3, 10)).toBe("gap");
      expect(inbound.receive(2, 10)).toBe("accept");
      expect(inbound.last).toBe(2);
      inbound.stop();
      jest.advanceTimersByTime(1000);
    } finally {
      jest.useRealTimers();
    }
  });

  test("acks after 64 messages, after 64 KiB, and 1 s after the first unacknowledged", () => {
    jest.useFakeTimers();
    try {
      const acks: number[] = [];
      const inbound = new InboundStream({ sendAck: (seq) => (acks.push(seq), true) });
      for (let seq = 1; seq <= 64; seq++) inbound.receive(seq, 10);
      expect(acks).toEqual([64]);
      inbound.receive(65, 70_000);
      expect(acks).toEqual([64, 65]);
      inbound.receive(66, 10);
      jest.advanceTimersByTime(999);
      expect(acks).toEqual([64, 65]);
      jest.advanceTimersByTime(1);
      expect(acks).toEqual([64, 65, 66]);
      jest.advanceTimersByTime(5000);
      expect(acks).toEqual([64, 65, 66]); // nothing new, no ack
      inbound.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  test("streams share the delay timer: each acks its own delay after its first message", () => {
    jest.useFakeTimers();
    try {
      const acks: string[] = [];
      const stream = (name: string) =>
        new InboundStream({ sendAck: (seq) => (acks.push(`${name}${seq}`), true) });
      const [a, b] = [stream("a"), stream("b")];
      a.receive(1, 10); // a due at 1000
      jest.advanceTimersByTime(100);
      b.receive(1, 10); // b due at 1100
      jest.advanceTimersByTime(100);
      for (let seq = 2; seq <= 64; seq++) a.receive(seq, 10); // a acks early, at 200
      expect(acks).toEqual(["a64"]);
      jest.advanceTimersByTime(100);
      a.receive(65, 10); // a due again, at 1300
      jest.advanceTimersByTime(699); // 999
      expect(acks).toEqual(["a64"]);
      jest.advanceTimersByTime(1); // 1000: a's first place is passed over
      expect(acks).toEqual(["a64"]);
      jest.advanceTimersByTime(100); // 1100
      expect(acks).toEqual(["a64", "b1"]);
      jest.advanceTimersByTime(199);
      expect(acks).toEqual(["a64", "b1"]);
      jest.advanceTimersByTime(1); // 1300
      expect(acks).toEqual(["a64", "b1", "a65"]);
      a.stop();
      b.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  test("an ack that cannot go out waits; a handshake counts as one", () => {
    jest.useFakeTimers();
    try {
      let open = false;
      const acks: number[] = [];
      const inbound = new InboundStream({
        sendAck: (seq) => (open ? (acks.push(seq), true) : false),
      });
      for (let seq = 1; seq <= 70; seq++) inbound.receive(seq, 10);
      expect(acks).toEqual([]);
      inbound.acknowledgedByHandshake();
      open = true;
      jest.advanceTimersByTime(2000);
      expect(acks).toEqual([]);
      inbound.receive(71, 10);
      jest.advanceTimersByTime(1000);
      expect(acks).toEqual([71]);
      inbound.stop();
    } finally {
      jest.useRealTimers();
    }
  });
});
