/**
 * Untrusted frames under `svc.msgpack`: whatever the bytes, decoding ends in a value or a
 * FrameError, allocates no more than the frame's size, recurses no deeper than the limit,
 * and builds nothing but plain data.
 */
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { Packr } from "msgpackr";
import { FrameError, jsonEncoding, msgpackEncoding } from "@svcgen/runtime";

const frames = msgpackEncoding({ maxFrameBytes: 1024 * 1024, maxDepth: 100 });
const bytes = (...parts: (number | number[] | Uint8Array)[]) =>
  Uint8Array.from(parts.flatMap((part) => (typeof part === "number" ? [part] : Array.from(part))));
const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

function failure(frame: Uint8Array | string): FrameError {
  try {
    frames.decode(frame);
  } catch (error) {
    expect(error).toBeInstanceOf(FrameError);
    return error as FrameError;
  }
  throw new Error("decoded although it should not");
}

function nested(open: number[], depth: number, leaf = [0xc0]): Uint8Array {
  const out = new Uint8Array(open.length * depth + leaf.length);
  for (let i = 0; i < depth; i++) out.set(open, i * open.length);
  out.set(leaf, open.length * depth);
  return out;
}

describe("depth", () => {
  test("arrays and maps nest up to maxDepth; one level more is cut to null and flagged", () => {
    // A frame that is an array is a batch: its array is no level of its messages (as JSON).
    expect(frames.decode(nested([0x91], 101)).tooDeep).toBe(false);
    const cut = frames.decode(nested([0x91], 102));
    expect(cut.tooDeep).toBe(true);
    let level = cut.value;
    for (let i = 0; i < 101; i++) level = (level as unknown[])[0];
    expect(level).toBeNull();
    const mapLevel = [0x81, 0xa1, 0x61]; // {"a": ...}
    expect(frames.decode(nested(mapLevel, 100)).tooDeep).toBe(false);
    expect(frames.decode(nested(mapLevel, 101)).tooDeep).toBe(true);
  });

  test("the envelope of a too-deep message still reads, as under JSON", () => {
    const limits = { maxFrameBytes: 1024 * 1024, maxDepth: 3 };
    const message = {
      jsonrpc: "2.0",
      id: 7,
      method: "a.B/c",
      params: { shallow: [1], deep: [[2, [3]], "x"] },
    };
    const json = jsonEncoding(limits);
    const msgpack = msgpackEncoding(limits);
    const fromMsgpack = msgpack.decode(msgpackEncoding().encode(message));
    expect(fromMsgpack).toEqual({
      value: {
        jsonrpc: "2.0",
        id: 7,
        method: "a.B/c",
        params: { shallow: [1], deep: [null, "x"] },
      },
      tooDeep: true,
    });
    expect(fromMsgpack).toEqual(json.decode(JSON.stringify(message)));
  });

  test("both encodings cut random values alike", () => {
    const limits = { maxFrameBytes: 1024 * 1024, maxDepth: 3 };
    const json = jsonEncoding(limits);
    const msgpack = msgpackEncoding(limits);
    const { value } = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { maxDepth: 6 },
        fc.integer(),
        fc.string(),
        fc.constant(null),
        fc.array(tie("value"), { maxLength: 3 }),
        fc.dictionary(fc.string(), tie("value"), { maxKeys: 3 }),
      ),
    }));
    fc.assert(
      fc.property(value, (input) => {
        expect(msgpack.decode(msgpackEncoding().encode(input))).toEqual(
          json.decode(JSON.stringify(input)),
        );
      }),
    );
  });

  test.each([1_000, 100_000, 1_000_000])("%i levels are cut without recursion", (depth) => {
    expect(frames.decode(nested([0x91], depth)).tooDeep).toBe(true);
    expect(frames.decode(nested([0x81, 0xa0], depth / 2)).tooDeep).toBe(true);
  });

  test("a part beyond the limit must still be well-formed", () => {
    expect(failure(nested([0x91], 150, [0xc1])).reason).toBe("malformed");
    expect(failure(nested([0x91], 150, [0xdb, 0xff, 0xff, 0xff, 0xff])).reason).toBe("malformed");
    expect(failure(nested([0x91], 150).subarray(0, 149)).reason).toBe("malformed");
  });

  test("a limit above what the stack allows still ends in a FrameError", () => {
    const lax = msgpackEncoding({ maxFrameBytes: 4 * 1024 * 1024, maxDepth: 10_000_000 });
    // Decoding recurses once per level up to the limit: this one overflows the stack.
    expect(() => lax.decode(nested([0x91], 2_000_000))).toThrow(
      expect.objectContaining({ reason: "too-deep" }),
    );
    // And the decoder is usable afterwards.
    expect(lax.decode(bytes(0x92, 1, 2)).value).toEqual([1, 2]);
  });

  test("encoding refuses what the peer would refuse, and cycles", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 101; i++) deep = [deep];
    expect(() => frames.encode(deep)).toThrow(expect.objectContaining({ reason: "too-deep" }));
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(() => frames.encode(cyclic)).toThrow(expect.objectContaining({ reason: "too-deep" }));
    expect(frames.decode(frames.encode({ ok: true })).value).toEqual({ ok: true });
  });
});

describe("lengths", () => {
  test.each([
    ["str32", [0xdb, 0xff, 0xff, 0xff, 0xff]],
    ["bin32", [0xc6, 0xff, 0xff, 0xff, 0xff]],
    ["array32", [0xdd, 0xff, 0xff, 0xff, 0xff]],
    ["map32", [0xdf, 0xff, 0xff, 0xff, 0xff]],
    ["ext32", [0xc9, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ["array16 of nils, one short", [0xdc, 0x00, 0x03, 0xc0, 0xc0]],
    ["map16, one value short", [0xde, 0x00, 0x02, 0xa1, 0x61, 0xc0, 0xa1, 0x62]],
  ])("a %s header claiming more than the frame holds is refused", (_name, header) => {
    expect(failure(bytes(header)).reason).toBe("malformed");
  });

  test("every truncation of a valid frame is refused", () => {
    const frame = frames.encode({
      jsonrpc: "2.0",
      id: 1,
      result: [1.5, "text é", new Uint8Array([1, 2]), new Date(1), 2n ** 60n, { k: null }],
    });
    for (let length = 0; length < frame.length; length++) {
      expect(failure(frame.subarray(0, length)).reason).toBe("malformed");
    }
  });

  test("bytes after the value are refused", () => {
    expect(failure(bytes(0xc0, 0xc0)).reason).toBe("malformed");
  });

  test("frames larger than maxFrameBytes are refused before they are read", () => {
    const small = msgpackEncoding({ maxFrameBytes: 16, maxDepth: 100 });
    expect(() => small.decode(new Uint8Array(17))).toThrow(
      expect.objectContaining({ reason: "too-large" }),
    );
  });

  test("a text frame is the wrong frame type", () => {
    expect(failure('{"jsonrpc":"2.0"}').reason).toBe("frame-type");
  });
});

describe("types", () => {
  test.each([
    ["msgpackr's Error extension", [0xd4, 0x65, 0x00]],
    ["msgpackr's Set extension", [0xd4, 0x73, 0x90]],
    ["msgpackr's record definition", [0xd4, 0x72, 0x00]],
    ["msgpackr's structured-clone pointer", [0xd6, 0x70, 0, 0, 0, 1]],
    ["extension 0", [0xd4, 0x00, 0x00]],
    ["a timestamp of 2 bytes", [0xd5, 0xff, 0x00, 0x00]],
    ["a timestamp with 10^9 nanoseconds", [0xd7, 0xff, 0xee, 0x6b, 0x28, 0x00, 0, 0, 0, 0]],
    ["the reserved byte 0xc1", [0xc1]],
    ["an integer map key", [0x81, 0x01, 0xc0]],
    ["a bin map key", [0x81, 0xc4, 0x01, 0x61, 0xc0]],
    ["a map as map key", [0x81, 0x80, 0xc0]],
    ["invalid UTF-8 in a str", [0xa2, 0xc3, 0x28]],
    ["invalid UTF-8 in a key", [0x81, 0xa2, 0xff, 0xfe, 0xc0]],
    ["a lone surrogate in UTF-8", [0xa3, 0xed, 0xa0, 0x80]],
    ["an empty frame", []],
  ])("%s is refused", (_name, frame) => {
    expect(failure(bytes(frame)).reason).toBe("malformed");
  });

  test("what msgpackr writes with records on is refused", () => {
    const packr = new Packr({ useRecords: true });
    expect(failure(packr.pack([{ a: 1 }, { a: 2 }])).reason).toBe("malformed");
  });

  test("prototype-named keys are own data properties; no prototype changes", () => {
    // {"__proto__": {"polluted": 1}, "constructor": 1, "toString": "x"}
    const frame = frames.encode(
      Object.defineProperties({} as Record<string, unknown>, {
        ["__proto__"]: { value: { polluted: 1 }, enumerable: true },
        constructor: { value: 1, enumerable: true },
        toString: { value: "x", enumerable: true },
      }),
    );
    for (let i = 0; i < 2; i++) {
      // The second time the keys come from the key cache.
      const value = frames.decode(frame).value as Record<string, unknown>;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.keys(value)).toEqual(["__proto__", "constructor", "toString"]);
      expect(Object.getOwnPropertyDescriptor(value, "__proto__")?.value).toEqual({ polluted: 1 });
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    }
  });

  test("bin is copied out of the frame", () => {
    const frame = bytes(0xc4, 0x02, 0x01, 0x02);
    const value = frames.decode(frame).value as Uint8Array;
    expect(Object.getPrototypeOf(value)).toBe(Uint8Array.prototype);
    frame[2] = 9;
    expect(Array.from(value)).toEqual([1, 2]);
    expect(value.buffer.byteLength).toBe(2);
  });
});

describe("random frames", () => {
  const allowed = [Object.prototype, Array.prototype, Uint8Array.prototype, Date.prototype];

  /** Whether `value` is made of plain data only, at most 100 containers deep. */
  function isPlainData(value: unknown, depth = 0): boolean {
    if (depth > 100) return false;
    if (typeof value !== "object" || value === null) {
      return ["number", "bigint", "string", "boolean", "object"].includes(typeof value);
    }
    if (!allowed.includes(Object.getPrototypeOf(value))) return false;
    if (Array.isArray(value)) return value.every((item) => isPlainData(item, depth + 1));
    if (value instanceof Uint8Array || value instanceof Date) return true;
    return Object.keys(value).every((key) =>
      isPlainData((value as Record<string, unknown>)[key], depth + 1),
    );
  }

  test("random bytes give plain data or a FrameError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (frame) => {
        try {
          expect(isPlainData(frames.decode(frame).value)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(FrameError);
        }
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
      }),
      { numRuns: 5000 },
    );
  });

  test("valid frames with random bytes changed give plain data or a FrameError", () => {
    const base = frames.encode({
      jsonrpc: "2.0",
      id: 9,
      method: "$/callback",
      params: { list: [1, -2, 3.5, "é", null, true], at: new Date(5), bin: new Uint8Array(3) },
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (changes) => {
          const frame = base.slice();
          for (const [at, byte] of changes) frame[at] = byte;
          try {
            expect(isPlainData(frames.decode(frame).value)).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(FrameError);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });
});
