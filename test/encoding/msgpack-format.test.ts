/**
 * The bytes `svc.msgpack` writes are standard MessagePack: two independent libraries read
 * them, and what they write reads back here. Formats are the shortest ones.
 */
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { Packr, Unpackr } from "msgpackr";
import { Decoder, Encoder } from "@msgpack/msgpack";
import { msgpackEncoding } from "@svcgen/runtime";

const frames = msgpackEncoding();
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** Plain data both libraries can write (no `__proto__` keys: @msgpack/msgpack refuses them). */
const { value: plainValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 4 },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.double().filter((n) => !Object.is(n, -0)),
    // Beyond the safe integers (which decode as numbers).
    fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }),
    fc.bigInt({ min: -(2n ** 63n), max: -(2n ** 53n) }),
    fc.string({ unit: "binary" }),
    fc.uint8Array({ maxLength: 300 }),
    fc.array(tie("value"), { maxLength: 20 }),
    fc.dictionary(
      fc.string().filter((k) => k !== "__proto__"),
      tie("value"),
      { maxKeys: 20 },
    ),
  ),
}));

describe("interoperability", () => {
  const decoder = new Decoder({ useBigInt64: true });
  const encoder = new Encoder({ useBigInt64: true });
  const unpackr = new Unpackr({ useRecords: false, int64AsType: "bigint", mapsAsObjects: true });
  const packr = new Packr({ useRecords: false, useBigInt64: true } as never);

  test("@msgpack/msgpack reads what svc.msgpack writes, and the reverse", () => {
    fc.assert(
      fc.property(plainValue, (value) => {
        expect(normalise(decoder.decode(frames.encode(value)))).toEqual(normalise(value));
        expect(normalise(frames.decode(encoder.encode(value)).value)).toEqual(normalise(value));
      }),
    );
  });

  test("msgpackr reads what svc.msgpack writes, and the reverse", () => {
    fc.assert(
      fc.property(plainValue, (value) => {
        expect(normalise(unpackr.unpack(frames.encode(value)))).toEqual(normalise(value));
        expect(normalise(frames.decode(packr.pack(value)).value)).toEqual(normalise(value));
      }),
    );
  });

  test("timestamps in all three extension formats", () => {
    const dates = [
      new Date(0), // 32-bit
      new Date(1_700_000_000_000), // 32-bit, whole seconds
      new Date(1_700_000_000_123), // 64-bit (milliseconds)
      new Date("2400-01-01T00:00:00.001Z"), // 64-bit, seconds beyond 32 bits
      new Date("1969-12-31T23:59:59.999Z"), // 96-bit (before 1970)
      new Date("0001-01-01T00:00:00.000Z"), // 96-bit
      new Date("9999-12-31T23:59:59.999Z"), // 96-bit (beyond 34 bits)
    ];
    for (const date of dates) {
      const bytes = frames.encode(date);
      expect(decoder.decode(bytes)).toEqual(date);
      expect(unpackr.unpack(bytes)).toEqual(date);
      expect(frames.decode(encoder.encode(date)).value).toEqual(date);
      expect(frames.decode(bytes).value).toEqual(date);
    }
    // Nanoseconds below a millisecond are cut, as RFC 3339 fractions are under JSON.
    const nanos = 1_999_999; // 1.999999 ms after 1970-01-01T00:00:01Z, 64-bit form
    const sub = Uint8Array.of(0xd7, 0xff, ...be32(nanos * 4), ...be32(1));
    expect(frames.decode(sub).value).toEqual(new Date(1001));
    expect(hex(frames.encode(new Date(1000)))).toBe("d6ff00000001");
    expect(hex(frames.encode(new Date(1)))).toMatch(/^d7ff/);
    expect(hex(frames.encode(new Date(-1)))).toMatch(/^c70cff/);
  });
});

function be32(value: number): number[] {
  return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

/** Safe-integer bigints decode as numbers; everything else compares as it is. */
function normalise(value: unknown): unknown {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === "object" && value !== null && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  }
  return value;
}

describe("shortest formats", () => {
  test.each([
    [0, "00"],
    [127, "7f"],
    [128, "cc80"],
    [65535, "cdffff"],
    [65536, "ce00010000"],
    [2 ** 32, "cf0000000100000000"],
    [-1, "ff"],
    [-32, "e0"],
    [-33, "d0df"],
    [-32768, "d18000"],
    [-32769, "d2ffff7fff"],
    [-(2 ** 31) - 1, "d3ffffffff7fffffff"],
    [Number.MAX_SAFE_INTEGER, "cf001fffffffffffff"],
    [1.5, "cb3ff8000000000000"],
    [-0, "cb8000000000000000"],
    [NaN, "cb7ff8000000000000"],
    [null, "c0"],
    [true, "c3"],
    ["", "a0"],
    ["a".repeat(31), "bf" + "61".repeat(31)],
    ["a".repeat(32), "d920" + "61".repeat(32)],
    ["é", "a2c3a9"],
  ])("%p → %s", (value, expected) => {
    expect(hex(frames.encode(value))).toBe(expected);
  });

  test("bigint in the smallest integer format that holds it", () => {
    expect(hex(frames.encode(5n))).toBe("05");
    expect(hex(frames.encode(2n ** 63n - 1n))).toBe("cf7fffffffffffffff");
    expect(hex(frames.encode(-(2n ** 63n)))).toBe("d38000000000000000");
    expect(hex(frames.encode(2n ** 64n - 1n))).toBe("cfffffffffffffffff");
    expect(() => frames.encode(2n ** 64n)).toThrow(/no MessagePack form/);
  });

  test("str, bin, array and map headers at their boundaries", () => {
    const cases: [number, string, string, string, string][] = [
      // length, str, bin, array, map header
      [15, "af", "c40f", "9f", "8f"],
      [16, "b0", "c410", "dc0010", "de0010"],
      [31, "bf", "c41f", "dc001f", "de001f"],
      [32, "d920", "c420", "dc0020", "de0020"],
      [256, "da0100", "c50100", "dc0100", "de0100"],
      [65536, "db00010000", "c600010000", "dd00010000", "df00010000"],
    ];
    for (const [length, ...headers] of cases) {
      const list = new Array(length).fill(1);
      const values = [
        "x".repeat(length),
        new Uint8Array(length).fill(7),
        list,
        Object.fromEntries(list.map((_, i) => [`k${i}`, i])),
      ];
      values.forEach((value, i) => {
        const frame = frames.encode(value);
        expect(hex(frame.subarray(0, headers[i]!.length / 2))).toBe(headers[i]);
        const theirs = new Decoder().decode(frame);
        const ours = frames.decode(frame).value;
        const same = (a: unknown) =>
          JSON.stringify(a instanceof Uint8Array ? Array.from(a) : a) ===
          JSON.stringify(value instanceof Uint8Array ? Array.from(value) : value);
        expect(same(theirs) && same(ours)).toBe(true);
      });
    }
  });

  test("a long non-ASCII string gets the header of its UTF-8 length", () => {
    const text = "ü".repeat(20); // 40 bytes: str8, although 3 × 20 units would need more
    expect(hex(frames.encode(text)).slice(0, 4)).toBe("d928");
    expect(frames.decode(frames.encode(text)).value).toBe(text);
  });

  test("undefined members are omitted, undefined in arrays is nil, as in JSON", () => {
    expect(frames.decode(frames.encode({ a: 1, b: undefined })).value).toEqual({ a: 1 });
    expect(frames.decode(frames.encode([1, undefined])).value).toEqual([1, null]);
  });

  test("what has no form is refused with a FrameError", () => {
    for (const value of [new Map(), () => 1, Symbol("s"), new (class Point {})()]) {
      expect(() => frames.encode(value)).toThrow(
        expect.objectContaining({ reason: "unencodable" }),
      );
    }
    expect(() => frames.encode(new Date(NaN))).toThrow(/invalid Date/);
  });

  test("frames handed out are never overwritten by later ones", () => {
    const kept = Array.from({ length: 3000 }, (_, i) =>
      frames.encode({ i, pad: "p".repeat(i % 97) }),
    );
    kept.forEach((frame, i) =>
      expect(frames.decode(frame).value).toEqual({ i, pad: "p".repeat(i % 97) }),
    );
  });
});
