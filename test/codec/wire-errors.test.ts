import { describe, expect, test } from "@jest/globals";
import { errorFields, fromWireError, toWireError, ErrorCode, RpcError } from "@svcgen/runtime";
import { JobNotFound, methodOf } from "./jobs-module.js";

describe("declared errors", () => {
  test("are RpcErrors of their generated class, with their fields", () => {
    const error = new JobNotFound({ id: "j9" }, "no job j9");
    expect(error).toBeInstanceOf(JobNotFound);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("JobNotFound");
    expect(error.code).toBe(ErrorCode.DeclaredError);
    expect(error.descriptor).toBe(JobNotFound.descriptor);
    expect(error.id).toBe("j9");
    expect(error.message).toBe("no job j9");
    expect(new JobNotFound({ id: "x" }).message).toBe("jobs.JobNotFound");
    expect(JobNotFound.descriptor.status).toBe(404);
    expect(JobNotFound.descriptor.fields.name).toBe("jobs.JobNotFound");
  });

  test("travel as -32000 with their wire name and encoded fields", () => {
    const error = new JobNotFound({ id: "j9" }, "no job j9");
    expect(toWireError(error)).toEqual({
      code: -32000,
      message: "no job j9",
      data: { error: "jobs.JobNotFound", data: { id: "j9" } },
    });
    expect(errorFields(error)).toEqual({ id: "j9" });
  });

  test("come back as instances of the generated class when the method declares them", () => {
    const original = new JobNotFound({ id: "j9", ["__proto__"]: "odd" }, "no job j9");
    const wire = JSON.parse(JSON.stringify(toWireError(original)));
    const error = fromWireError(wire, methodOf("get"));
    expect(error).toBeInstanceOf(JobNotFound);
    const found = error as JobNotFound;
    expect(found.id).toBe("j9");
    expect(found.message).toBe("no job j9");
    expect(Object.getOwnPropertyDescriptor(found.fields, "__proto__")?.value).toBe("odd");
    expect(toWireError(found)).toEqual(toWireError(original));
  });

  test("stay plain RpcErrors when the method does not declare them or their fields are bad", () => {
    const wire = toWireError(new JobNotFound({ id: "j9" }, "no job"));
    const undeclared = fromWireError(wire, methodOf("cancel"));
    expect(undeclared).not.toBeInstanceOf(JobNotFound);
    expect(undeclared.code).toBe(-32000);
    expect(undeclared.data).toEqual({ error: "jobs.JobNotFound", data: { id: "j9" } });
    const withoutMethod = fromWireError(wire);
    expect(withoutMethod).not.toBeInstanceOf(JobNotFound);
    const badFields = fromWireError(
      { code: -32000, message: "m", data: { error: "jobs.JobNotFound", data: { id: 1 } } },
      methodOf("get"),
    );
    expect(badFields).not.toBeInstanceOf(JobNotFound);
    expect(badFields.message).toBe("m");
  });

  test("with fields that do not encode degrade to an internal error", () => {
    const broken = new JobNotFound({ id: 42 as unknown as string });
    expect(toWireError(broken)).toEqual({ code: -32603, message: "Internal error" });
  });
});

describe("other errors", () => {
  test("round-trip code, message and data", () => {
    const error = new RpcError(ErrorCode.InvalidParams, "Invalid params", {
      errors: [{ pointer: "/a", detail: "required" }],
    });
    const wire = toWireError(error);
    expect(wire).toEqual({
      code: -32602,
      message: "Invalid params",
      data: { errors: [{ pointer: "/a", detail: "required" }] },
    });
    expect(errorFields(error)).toBeUndefined();
    const back = fromWireError(JSON.parse(JSON.stringify(wire)), methodOf("get"));
    expect(back).toBeInstanceOf(RpcError);
    expect([back.code, back.message, back.data]).toEqual([wire.code, wire.message, wire.data]);
    expect(toWireError(new RpcError(ErrorCode.Cancelled, "Cancelled"))).toEqual({
      code: -32002,
      message: "Cancelled",
    });
  });

  test("that are malformed become internal errors", () => {
    for (const wire of [
      null,
      "oops",
      [],
      { code: "1", message: "m" },
      { code: 1.5, message: "" },
      { code: 1 },
    ]) {
      const error = fromWireError(wire);
      expect(error.code).toBe(ErrorCode.InternalError);
      expect(error.message).toBe("Malformed error response");
    }
  });
});
