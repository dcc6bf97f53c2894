/**
 * Every IDL type survives the whole trip under both wire encodings: schema encode (in the
 * encoding's flavor) → frame → bytes → frame decode → schema decode gives the value back.
 */
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import {
  decodeParams,
  decodeResult,
  decodeValue,
  encodeParams,
  encodeResult,
  encodeValue,
  jsonEncoding,
  msgpackEncoding,
  t,
} from "@svcgen/runtime";
import type { Schema, WireEncoding } from "@svcgen/runtime";
import { methodOf } from "./jobs-module.js";
import { anyDate, cases, info } from "./wire-arbitraries.js";

const encodings: [string, WireEncoding][] = [
  ["svc.json", jsonEncoding()],
  ["svc.msgpack", msgpackEncoding()],
];

/** What the peer's schema sees after the value crossed the wire in `encoding`. */
function overTheWire<T>(schema: Schema<T>, value: T, encoding: WireEncoding): T {
  const frame = encoding.encode(encodeValue(schema, value, encoding.flavor));
  // As it arrives: a fresh string, or fresh bytes in a Node Buffer.
  const arrived = typeof frame === "string" ? frame.slice() : Buffer.from(frame);
  const { value: decoded, tooDeep } = encoding.decode(arrived);
  expect(tooDeep).toBe(false);
  return decodeValue(schema, decoded, encoding.flavor);
}

describe.each(encodings)("round trips under %s", (_name, encoding) => {
  test.each(cases)("%s", (_type, schema, values) => {
    fc.assert(
      fc.property(values, (value) => {
        const back = overTheWire(schema, value, encoding);
        expect(back).toEqual(value);
        // toEqual does not see own `__proto__` keys; compare the keys themselves too.
        if (typeof value === "object" && value !== null && !ArrayBuffer.isView(value)) {
          expect(JSON.stringify(Object.keys(back as object))).toBe(
            JSON.stringify(Object.keys(value)),
          );
        }
      }),
    );
  });

  test("parameters and results of a method", () => {
    const find = methodOf("find");
    fc.assert(
      fc.property(
        fc.constantFrom("Queued", "Running"),
        fc.integer(),
        fc.option(anyDate, { nil: undefined }),
        fc.array(info, { maxLength: 3 }),
        (state, limit, since, result) => {
          const params = encodeParams(find, [state, limit, since], undefined, encoding.flavor);
          const frame = encoding.encode({
            jsonrpc: "2.0",
            id: 1,
            method: "jobs.JobService/find",
            params,
          });
          const message = encoding.decode(frame).value as { params: unknown };
          const args = decodeParams(find, message.params, undefined, encoding.flavor);
          expect(args).toEqual([state, limit, since, undefined]);

          const wire = encodeResult(find, result, encoding.flavor);
          const answer = encoding.decode(
            encoding.encode({ jsonrpc: "2.0", id: 1, result: wire }),
          ).value;
          expect(
            decodeResult(find, (answer as { result: unknown }).result, encoding.flavor),
          ).toEqual(result);
        },
      ),
    );
  });
});

describe("only under svc.msgpack", () => {
  const msgpack = msgpackEncoding();

  test("-0, NaN and the infinities travel as floats", () => {
    for (const value of [-0, NaN, Infinity, -Infinity]) {
      expect(Object.is(overTheWire(t.float64, value, msgpack), value)).toBe(true);
    }
  });

  test("an integral float64 is written as an integer and read back", () => {
    expect(msgpack.encode(encodeValue(t.float64, 3, "msgpack"))).toEqual(Uint8Array.of(3));
    expect(overTheWire(t.float64, 3, msgpack)).toBe(3);
  });
});
