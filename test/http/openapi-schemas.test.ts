/** The OpenAPI schemas of int64 and timestamp say exactly what the decoders accept. */
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { t } from "@svcgen/runtime";
import { int64Pattern, timestampPattern } from "../../packages/runtime/src/server/openapi.js";
import { fuzzRuns } from "../reliability/fuzz-runs.js";

const int64 = new RegExp(int64Pattern);
const timestamp = new RegExp(timestampPattern);

function decodes(schema: { decode(json: unknown): unknown }, json: unknown): boolean {
  try {
    schema.decode(json);
    return true;
  } catch {
    return false;
  }
}

describe("int64", () => {
  test("the pattern ends where the range ends", () => {
    for (const text of [
      "0",
      "7",
      "-1",
      "999999999999999999",
      "1000000000000000000",
      "9223372036854775807",
      "-9223372036854775808",
      "9223372036854775799",
      "8999999999999999999",
    ]) {
      expect([text, int64.test(text)]).toEqual([text, true]);
      expect([text, decodes(t.int64, text)]).toEqual([text, true]);
    }
    for (const text of [
      "9223372036854775808",
      "-9223372036854775809",
      "9999999999999999999",
      "9300000000000000000",
      "10000000000000000000",
      "-0",
      "01",
      "+1",
      "",
      " 1",
    ]) {
      expect([text, int64.test(text)]).toEqual([text, false]);
      expect([text, decodes(t.int64, text)]).toEqual([text, false]);
    }
  });

  test("pattern and decoder agree on random decimal text", () => {
    const digits = fc
      .tuple(fc.constantFrom("", "-", "+"), fc.stringMatching(/^[0-9]{1,21}$/))
      .map(([sign, body]) => sign + body);
    const limit = 2n ** 63n;
    const nearLimits = fc
      .oneof(
        fc.bigInt({ min: limit - 10_000n, max: limit + 10_000n }),
        fc.bigInt({ min: -limit - 10_000n, max: -limit + 10_000n }),
        fc.bigInt({ min: -(limit * 4n), max: limit * 4n }),
      )
      .map(String);
    fc.assert(
      fc.property(fc.oneof(digits, nearLimits, fc.bigInt().map(String)), (text) => {
        expect(int64.test(text)).toBe(decodes(t.int64, text));
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });
});

describe("timestamp", () => {
  test("a leap second and other texts the decoder refuses do not match", () => {
    for (const text of [
      "2016-12-31T23:59:60Z",
      "2016-12-31 23:59:59Z",
      "2016-12-31T23:59:59",
      "2016-12-31T23:59:59+0100",
      "2016-12-31T24:00:00Z",
      "2016-12-31T23:59:59.Z",
    ]) {
      expect([text, timestamp.test(text)]).toEqual([text, false]);
      expect([text, decodes(t.timestamp, text)]).toEqual([text, false]);
    }
    for (const text of ["2016-12-31T23:59:59Z", "0001-01-01t00:00:00.123456+05:30"]) {
      expect([text, timestamp.test(text)]).toEqual([text, true]);
      expect([text, decodes(t.timestamp, text)]).toEqual([text, true]);
    }
  });

  test("every text the pattern matches with a valid calendar date decodes", () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, "0"));
    const text = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, "0")),
        fc.integer({ min: 1, max: 12 }).map((n) => String(n).padStart(2, "0")),
        fc.integer({ min: 1, max: 28 }).map((n) => String(n).padStart(2, "0")),
        fc.constantFrom("T", "t", " "),
        two(25),
        two(61),
        two(61),
        fc.constantFrom("", ".5", ".123456789", "."),
        fc.constantFrom("Z", "z", "+01:00", "-23:59", "+24:00", "+0100", ""),
      )
      .map(
        ([y, mo, d, sep, h, mi, s, frac, zone]) =>
          `${y}-${mo}-${d}${sep}${h}:${mi}:${s}${frac}${zone}`,
      );
    fc.assert(
      fc.property(text, (value) => {
        expect(timestamp.test(value)).toBe(decodes(t.timestamp, value));
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });
});
