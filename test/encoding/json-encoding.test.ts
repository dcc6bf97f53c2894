/** `svc.json` frames are held to the same bounds as MessagePack ones. */
import { describe, expect, test } from "@jest/globals";
import { FrameError, createEncoding, encodingNames, jsonEncoding } from "@svcgen/runtime";

const frames = jsonEncoding({ maxFrameBytes: 1024 * 1024, maxDepth: 100 });

function reason(frame: string | Uint8Array): string {
  try {
    frames.decode(frame);
  } catch (error) {
    expect(error).toBeInstanceOf(FrameError);
    return (error as FrameError).reason;
  }
  return "decoded";
}

describe("svc.json", () => {
  test("decodes text and UTF-8 bytes alike", () => {
    const message = { jsonrpc: "2.0", id: 1, method: "a.B/c", params: { s: "é" } };
    expect(frames.decode(JSON.stringify(message))).toEqual({ value: message, tooDeep: false });
    expect(frames.decode(Buffer.from(JSON.stringify(message))).value).toEqual(message);
    expect(frames.encode(message)).toBe(JSON.stringify(message));
  });

  test("nesting up to maxDepth, the envelope included; deeper parts are cut and flagged", () => {
    // A frame that is an array is a batch: its array is no level of its messages.
    expect(frames.decode("[".repeat(101) + "]".repeat(101)).tooDeep).toBe(false);
    expect(frames.decode("[".repeat(102) + "]".repeat(102)).tooDeep).toBe(true);
    expect(frames.decode('{"a":'.repeat(100) + "1" + "}".repeat(100)).tooDeep).toBe(false);
    expect(frames.decode('{"a":'.repeat(101) + "1" + "}".repeat(101)).tooDeep).toBe(true);
  });

  test("half a million levels are cut, not a stack overflow", () => {
    const depth = 500_000;
    expect(frames.decode("[".repeat(depth) + "]".repeat(depth)).tooDeep).toBe(true);
  });

  test("malformed, invalid UTF-8 and oversized frames", () => {
    expect(reason("{")).toBe("malformed");
    expect(reason(Uint8Array.from([0x22, 0xff, 0x22]))).toBe("malformed");
    const small = jsonEncoding({ maxFrameBytes: 8, maxDepth: 100 });
    expect(() => small.decode('"123456789"')).toThrow(
      expect.objectContaining({ reason: "too-large" }),
    );
  });

  test("what the peer would refuse as too deep is not sent", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 101; i++) deep = [deep];
    expect(() => frames.encode(deep)).toThrow(expect.objectContaining({ reason: "too-deep" }));
  });

  test("values without a JSON form are refused with a FrameError", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(() => frames.encode(cyclic)).toThrow(expect.objectContaining({ reason: "unencodable" }));
    expect(() => frames.encode(1n)).toThrow(expect.objectContaining({ reason: "unencodable" }));
    expect(() => frames.encode(undefined)).toThrow(
      expect.objectContaining({ reason: "unencodable" }),
    );
  });
});

describe("the encodings by name", () => {
  test("MessagePack first, as a client offers them", () => {
    expect(encodingNames).toEqual(["svc.msgpack", "svc.json"]);
    expect(createEncoding("svc.json")?.frameType).toBe("text");
    expect(createEncoding("svc.msgpack")?.frameType).toBe("binary");
    expect(createEncoding("svc.cbor")).toBeUndefined();
  });
});
