import { describe, expect, test } from "@jest/globals";
import {
  decodeParams,
  decodeResult,
  encodeParams,
  encodeResult,
  DecodeError,
  EncodeError,
  ErrorCode,
  RpcError,
} from "@svcgen/runtime";
import type { CallbackDescriptor } from "@svcgen/runtime";
import { JobEventsDescriptor, JobServiceDescriptor, methodOf } from "./jobs-module.js";

function rpcFailure(run: () => unknown): RpcError {
  try {
    run();
  } catch (error) {
    if (error instanceof RpcError) return error;
    throw error;
  }
  throw new Error("expected an RpcError");
}

describe("descriptors", () => {
  test("name methods on the wire and record what the dispatcher needs", () => {
    expect(JobServiceDescriptor.kind).toBe("service");
    expect([...JobServiceDescriptor.methods.keys()]).toEqual(["start", "get", "find", "cancel"]);
    const start = methodOf("start");
    expect(start.wireName).toBe("jobs.JobService.start");
    expect(start.owner).toBe(JobServiceDescriptor);
    expect(start.takesCallback).toBe(true);
    expect(start.params[1]).toEqual({
      name: "events",
      optional: false,
      callback: JobEventsDescriptor,
    });
    const get = methodOf("get");
    expect(get.idempotent).toBe(true);
    expect(get.oneway).toBe(false);
    expect(get.takesCallback).toBe(false);
    expect(get.throws.map((e) => [e.name, e.status])).toEqual([["jobs.JobNotFound", 404]]);
    const find = methodOf("find");
    expect(find.params.map((p) => [p.name, p.optional, p.schema?.kind])).toEqual([
      ["state", false, "enum"],
      ["limit", false, "int32"],
      ["since", true, "timestamp"],
      ["extra", true, "json"],
    ]);
    expect(methodOf("cancel").returns).toBeUndefined();
    const progress = JobEventsDescriptor.methods.get("progress")!;
    expect(JobEventsDescriptor.kind).toBe("callback");
    expect(progress.oneway).toBe(true);
    expect(progress.wireName).toBe("jobs.JobEvents.progress");
    expect(progress.owner).toBe(JobEventsDescriptor);
  });
});

describe("decodeParams", () => {
  const find = methodOf("find");

  test("takes named objects, positional arrays, and nothing for no parameters", () => {
    const since = "2024-01-01T00:00:00.000Z";
    expect(decodeParams(find, { state: "Queued", limit: 5, since, extra: { a: 1 } })).toEqual([
      "Queued",
      5,
      new Date(since),
      { a: 1 },
    ]);
    expect(decodeParams(find, ["Running", 1])).toEqual(["Running", 1, undefined, undefined]);
    expect(decodeParams(find, { limit: 2, state: "Queued", since: null, unknown: 1 })).toEqual([
      "Queued",
      2,
      undefined,
      undefined,
    ]);
    expect(decodeParams(find, ["Queued", 2, null, null])).toEqual(["Queued", 2, undefined, null]);
    const noParams = JobEventsDescriptor.methods.get("confirm")!;
    expect(decodeParams({ ...noParams, params: [] }, undefined)).toEqual([]);
    expect(decodeParams({ ...noParams, params: [] }, null)).toEqual([]);
  });

  test("collects every invalid parameter with its pointer", () => {
    const named = rpcFailure(() =>
      decodeParams(find, { state: "Done", since: "yesterday", extra: { x: [1, undefined] } }),
    );
    expect(named.code).toBe(ErrorCode.InvalidParams);
    expect(named.message).toBe("Invalid params");
    expect(named.data).toEqual({
      errors: [
        { pointer: "/state", detail: "expected one of Queued, Running" },
        { pointer: "/limit", detail: "required" },
        { pointer: "/since", detail: "expected RFC 3339 timestamp" },
        { pointer: "/extra/x/1", detail: "expected JSON value" },
      ],
    });
    const positional = rpcFailure(() => decodeParams(find, ["Queued", 1.5, undefined, 1, 2]));
    expect(positional.data).toEqual({
      errors: [
        { pointer: "/4", detail: "too many parameters" },
        { pointer: "/1", detail: "expected int32" },
      ],
    });
    expect(rpcFailure(() => decodeParams(find, undefined)).data).toEqual({
      errors: [
        { pointer: "/state", detail: "required" },
        { pointer: "/limit", detail: "required" },
      ],
    });
    expect(rpcFailure(() => decodeParams(find, "Queued")).data).toEqual({
      errors: [{ pointer: "", detail: "expected object or array of parameters" }],
    });
  });

  test("ignores inherited keys of the params object", () => {
    const get = methodOf("get");
    const params = Object.create({ id: "inherited" }) as object;
    expect(rpcFailure(() => decodeParams(get, params)).data).toEqual({
      errors: [{ pointer: "/id", detail: "required" }],
    });
  });

  test("resolves callback ids once every parameter is valid", () => {
    const start = methodOf("start");
    const seen: [string, CallbackDescriptor, string][] = [];
    const resolve = (id: string, callback: CallbackDescriptor, pointer: string) => {
      seen.push([id, callback, pointer]);
      return { proxyFor: id };
    };
    expect(decodeParams(start, { name: "build", events: "c1" }, resolve)).toEqual([
      "build",
      { proxyFor: "c1" },
    ]);
    expect(decodeParams(start, ["build", "c_2-X"], resolve)[1]).toEqual({ proxyFor: "c_2-X" });
    expect(seen).toEqual([
      ["c1", JobEventsDescriptor, "/events"],
      ["c_2-X", JobEventsDescriptor, "/1"],
    ]);
    seen.length = 0;
    const bad = rpcFailure(() => decodeParams(start, { name: 1, events: "c 1" }, resolve));
    expect(bad.data).toEqual({
      errors: [
        { pointer: "/name", detail: "expected string" },
        { pointer: "/events", detail: "expected callback id" },
      ],
    });
    expect(
      rpcFailure(() => decodeParams(start, { name: "n", events: "x".repeat(65) }, resolve)).data,
    ).toEqual({ errors: [{ pointer: "/events", detail: "expected callback id" }] });
    expect(seen).toEqual([]);
  });

  test("refuses a callback-taking method without a WebSocket", () => {
    const error = rpcFailure(() => decodeParams(methodOf("start"), { name: "b", events: "c1" }));
    expect(error.code).toBe(ErrorCode.InvalidParams);
    expect(error.message).toBe(
      "jobs.JobService.start takes a callback and needs a WebSocket connection",
    );
  });
});

describe("encodeParams", () => {
  test("builds the named object, omitting absent optional arguments", () => {
    const find = methodOf("find");
    expect(encodeParams(find, ["Queued", 3])).toEqual({ state: "Queued", limit: 3 });
    expect(encodeParams(find, ["Queued", 3, new Date("2024-01-01T00:00:00Z"), null])).toEqual({
      state: "Queued",
      limit: 3,
      since: "2024-01-01T00:00:00.000Z",
      extra: null,
    });
    const round = decodeParams(find, encodeParams(find, ["Running", 7, undefined, [1]]));
    expect(round).toEqual(["Running", 7, undefined, [1]]);
  });
  test("rejects arguments that do not fit, with their pointer", () => {
    const find = methodOf("find");
    expect(() => encodeParams(find, ["Queued", "3"])).toThrow(new EncodeError("/limit", "int32"));
    expect(() => encodeParams(find, ["Queued"])).toThrow("/limit: required");
    expect(() => encodeParams(find, ["Queued", 1, undefined, undefined, 5])).toThrow(EncodeError);
  });
  test("sends callbacks as the id the connection chooses", () => {
    const start = methodOf("start");
    const events = { progress() {}, confirm: () => true };
    const ids = new Map<object, string>();
    const callbackId = (impl: object, callback: CallbackDescriptor) => {
      expect(callback).toBe(JobEventsDescriptor);
      if (!ids.has(impl)) ids.set(impl, `c${ids.size + 1}`);
      return ids.get(impl)!;
    };
    expect(encodeParams(start, ["b", events], callbackId)).toEqual({ name: "b", events: "c1" });
    expect(encodeParams(start, ["c", events], callbackId)).toEqual({ name: "c", events: "c1" });
    expect(() => encodeParams(start, ["b", "not an object"], callbackId)).toThrow(EncodeError);
    expect(() => encodeParams(start, ["b", events])).toThrow(
      "jobs.JobService.start takes a callback and needs a WebSocket connection",
    );
  });
});

describe("results", () => {
  test("encode and decode with the method's return schema; void gives undefined", () => {
    const get = methodOf("get");
    const info = { id: "j", state: "Queued", tags: [] };
    expect(encodeResult(get, info)).toEqual(info);
    expect(decodeResult(get, info)).toEqual(info);
    expect(encodeResult(methodOf("cancel"), "ignored")).toBeUndefined();
    expect(decodeResult(methodOf("cancel"), null)).toBeUndefined();
    expect(() => decodeResult(get, { id: "j", state: "Queued", tags: [1] })).toThrow(
      new DecodeError("/tags/0", "string"),
    );
    expect(() => encodeResult(get, { id: 5 })).toThrow(new EncodeError("/id", "string"));
    expect(encodeResult(methodOf("find"), [])).toEqual([]);
  });
});
