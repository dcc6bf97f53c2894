/** protocol/jsonrpc.ts: the message rules both JSON-RPC transports share. */
import { describe, expect, test } from "@jest/globals";
import {
  errorResponse,
  parseMessage,
  resultResponse,
} from "../../packages/runtime/src/protocol/jsonrpc.js";

describe("parseMessage", () => {
  test("requests, notifications and responses", () => {
    expect(parseMessage({ jsonrpc: "2.0", id: 1, method: "a.B.c", params: [1] })).toEqual({
      kind: "request",
      message: { jsonrpc: "2.0", id: 1, method: "a.B.c", params: [1] },
    });
    expect(parseMessage({ jsonrpc: "2.0", id: null, method: "m" }).kind).toBe("request");
    expect(parseMessage({ jsonrpc: "2.0", method: "m", params: {} }).kind).toBe("notification");
    expect(parseMessage({ jsonrpc: "2.0", id: "x", result: null })).toEqual({
      kind: "response",
      message: { jsonrpc: "2.0", id: "x", result: null },
    });
    expect(
      parseMessage({ jsonrpc: "2.0", id: 2, error: { code: -1, message: "m", data: 3 } }),
    ).toEqual({
      kind: "response",
      message: { jsonrpc: "2.0", id: 2, error: { code: -1, message: "m", data: 3 } },
    });
  });

  test("anything else is invalid (-32600), keeping the id when it is readable", () => {
    const invalid = [
      null,
      [],
      "text",
      { id: 1, method: "m" },
      { jsonrpc: "2.0", id: 1, method: 1 },
      { jsonrpc: "2.0", id: 1, method: "m", params: null },
      { jsonrpc: "2.0", id: 1, method: "m", params: "p" },
      { jsonrpc: "2.0", id: {}, method: "m" },
      { jsonrpc: "2.0", id: 1, result: 1, error: { code: 1, message: "" } },
      { jsonrpc: "2.0", id: 1, error: { code: "1", message: "" } },
      { jsonrpc: "2.0", id: 1 },
    ];
    for (const value of invalid) {
      const parsed = parseMessage(value);
      expect(parsed.kind).toBe("invalid");
      if (parsed.kind === "invalid") expect(parsed.error.code).toBe(-32600);
    }
    const withId = parseMessage({ jsonrpc: "1.0", id: 9, method: "m" });
    expect(withId.kind === "invalid" && withId.id).toBe(9);
  });

  test("a __proto__ member is plain data", () => {
    const parsed = parseMessage(
      JSON.parse('{"jsonrpc":"2.0","id":1,"method":"m","params":{"__proto__":{"x":1}}}'),
    );
    expect(parsed.kind).toBe("request");
    expect(({} as Record<string, unknown>)["x"]).toBeUndefined();
  });
});

describe("response builders", () => {
  test("void results travel as null; data is omitted when absent", () => {
    expect(resultResponse(1, undefined)).toEqual({ jsonrpc: "2.0", id: 1, result: null });
    expect(errorResponse(null, { code: -32700, message: "Parse error" })).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32700, message: "Parse error" },
    });
  });
});
