import { describe, expect, test } from "@jest/globals";
import { contractHash, contractText } from "../../packages/svcgen/src/generate/index.js";
import type { InterfaceDecl, Model } from "../../packages/svcgen/src/model/model.js";
import {
  callbackDecl,
  enumDecl,
  errorDecl,
  field,
  interfaceDecl,
  list,
  method,
  model,
  named,
  param,
  prim,
  recordDecl,
  sourceFile,
} from "./model-builder.js";

interface Variant {
  paramName?: string;
  paramType?: "string" | "int32";
  fieldType?: "string" | "int64";
  status?: number;
  doc?: string;
  idempotent?: boolean;
}

/** A service whose method reaches a record, an enum, an error and a callback. */
function build(v: Variant = {}): { model: Model; service: InterfaceDecl } {
  const service = interfaceDecl(
    "jobs",
    "Jobs",
    [
      method(
        "start",
        [
          param(v.paramName ?? "name", prim(v.paramType ?? "string")),
          param("events", named("jobs.Events", "callback")),
          param("info", named("jobs.Info", "record"), true),
        ],
        {
          returns: list(named("jobs.State", "enum")),
          throws: ["jobs.NotFound"],
          idempotent: v.idempotent ?? false,
          ...(v.doc === undefined ? {} : { doc: v.doc }),
        },
      ),
    ],
    v.doc === undefined ? {} : { doc: v.doc },
  );
  const file = sourceFile("/x/jobs.svc", "jobs", [
    enumDecl("jobs", "State", ["Queued", "Done"]),
    recordDecl("jobs", "Info", [
      field("id", prim(v.fieldType ?? "string")),
      field("children", list(named("jobs.Info", "record"))),
    ]),
    errorDecl("jobs", "NotFound", [field("id", prim("string"))], v.status ?? 404),
    callbackDecl("jobs", "Events", [
      method("done", [param("id", prim("string"))], { oneway: true }),
    ]),
    service,
  ]);
  return { model: model([file]), service };
}

const hashOf = (v: Variant = {}) => {
  const { model: m, service } = build(v);
  return contractHash(service, m);
};

describe("contract hash", () => {
  test("is the SHA-256 hex of a canonical text that expands every reached type", () => {
    const { model: m, service } = build();
    expect(contractText(service, m)).toBe(
      [
        "service jobs.Jobs",
        "start(name:string,events:jobs.Events,info?:jobs.Info):jobs.State[] throws jobs.NotFound",
        "callback jobs.Events{oneway done(id:string)}",
        "record jobs.Info{id:string;children:jobs.Info[]}",
        "error jobs.NotFound@404{id:string}",
        "enum jobs.State{Queued,Done}",
        "",
      ].join("\n"),
    );
    expect(hashOf()).toMatch(/^[0-9a-f]{64}$/);
  });

  test("changes when a parameter is renamed or retyped", () => {
    expect(hashOf({ paramName: "title" })).not.toBe(hashOf());
    expect(hashOf({ paramType: "int32" })).not.toBe(hashOf());
  });

  test("changes when a referenced record, an error status or a flag changes", () => {
    expect(hashOf({ fieldType: "int64" })).not.toBe(hashOf());
    expect(hashOf({ status: 410 })).not.toBe(hashOf());
    expect(hashOf({ idempotent: true })).not.toBe(hashOf());
  });

  test("ignores documentation", () => {
    expect(hashOf({ doc: "Starts a job." })).toBe(hashOf());
  });
});
