/**
 * The small fixture IDL of the golden tests, as a model (root: /fixture). The same IDL as
 * text is in fixtures/golden/ and must generate the same files:
 *
 *   common.svc     record Money, and a record named like a global (Uint8Array)
 *   jobs/jobs.svc  the example of docs/architecture.md, plus a cross-file reference, names
 *                  that hide globals or imports, and hostile names
 */
import type { Model } from "../../packages/svcgen/src/model/model.js";
import {
  callbackDecl,
  enumDecl,
  errorDecl,
  field,
  interfaceDecl,
  list,
  map,
  method,
  model,
  named,
  param,
  prim,
  recordDecl,
  sourceFile,
  unionDecl,
} from "./model-builder.js";

export const FIXTURE_ROOT = "/fixture";

export function fixtureModel(): Model {
  const common = sourceFile("/fixture/common.svc", "common", [
    recordDecl("common", "Money", [
      field("currency", prim("string")),
      field("minorUnits", prim("int64")),
    ]),
    // Hides the global in this module; imported elsewhere, it must not hide it there.
    recordDecl("common", "Uint8Array", [field("data", prim("bytes"))]),
  ]);
  const jobs = sourceFile(
    "/fixture/jobs/jobs.svc",
    "jobs",
    [
      enumDecl("jobs", "JobState", ["Queued", "Running", "__proto__"]),
      recordDecl("jobs", "JobInfo", [
        field("id", prim("string"), false, { doc: "Unique id." }),
        field("state", named("jobs.JobState", "enum")),
        field("startedAt", prim("timestamp"), true),
        field("tags", list(prim("string"))),
        field("cost", named("common.Money", "record")),
        field("labels", map(prim("json")), false, { deprecated: "use tags" }),
        field("__proto__", prim("bytes"), true),
        field("delete", prim("bool")),
      ]),
      unionDecl("jobs", "Shape", [
        ["circle", prim("float64")],
        ["square", prim("float64")],
        ["constructor", named("jobs.JobInfo", "record")],
      ]),
      // Names that hide a global or an imported name the module needs.
      recordDecl("jobs", "Money", [field("amount", named("common.Money", "record"))]),
      recordDecl("jobs", "Date", [field("at", prim("timestamp"))]),
      recordDecl("jobs", "Record", [field("counts", map(prim("int32")))]),
      recordDecl("jobs", "Promise", [
        field("kept", prim("bool")),
        field("raw", named("common.Uint8Array", "record")),
      ]),
      errorDecl("jobs", "RpcError", [
        field("message", prim("string")),
        field("detail", prim("string")),
      ]),
      errorDecl("jobs", "JobNotFound", [field("id", prim("string"))], 404, {
        doc: "No such job.",
      }),
      errorDecl("jobs", "Hostile", [
        field("constructor", prim("string")),
        field("__proto__", prim("string"), true),
        field("class", prim("int32")),
      ]),
      callbackDecl("jobs", "JobEvents", [
        method("progress", [param("id", prim("string")), param("percent", prim("float64"))], {
          oneway: true,
          conflate: "id",
        }),
        method("confirm", [param("question", prim("string"))], { returns: prim("bool") }),
        method("delete", [
          param("class", prim("string"), false, { doc: "Reserved as a binding." }),
          param("delete_", prim("string")),
        ]),
      ]),
      interfaceDecl(
        "jobs",
        "JobService",
        [
          method(
            "start",
            [
              param("name", prim("string")),
              param("events", named("jobs.JobEvents", "callback"), false, {
                doc: "Hears of the job's progress.\nUntil it ends.",
              }),
            ],
            {
              resubscribe: true,
              returns: prim("string"),
              doc: "Starts a job.\nReturns its id.",
            },
          ),
          method("get", [param("id", prim("string"))], {
            idempotent: true,
            rateLimit: "20/s, burst 40",
            returns: named("jobs.JobInfo", "record"),
            throws: ["jobs.JobNotFound", "jobs.Hostile"],
          }),
          method("find", [param("options", prim("string")), param("limit", prim("int32"), true)], {
            returns: list(named("jobs.Shape", "union")),
            deprecated: true,
          }),
          method(
            "constructor",
            [param("delete", prim("string")), param("ctx", prim("int64"), true)],
            {
              returns: prim("string"),
            },
          ),
          method("__proto__", [param("prototype", prim("string"))], { returns: prim("string") }),
          method("toString", [], { returns: prim("string") }),
          method("ping", []),
        ],
        { doc: "Runs jobs." },
      ),
    ],
    ["/fixture/common.svc"],
    " Jobs whose progress is pushed to the client.",
  );
  return model([common, jobs]);
}
