/**
 * `t`: the schema combinators generated code is written with, one per IDL type.
 *
 * ```ts
 * const JobInfoSchema = t.record<JobInfo>("jobs.JobInfo", () => ({
 *   id: t.string,
 *   startedAt: t.optional(t.timestamp),
 *   tags: t.list(t.string),
 * }));
 * ```
 */
import * as primitives from "./primitives.js";
import { enumeration, list, map, optional, record, union } from "./composites.js";

export const t = {
  bool: primitives.bool,
  int32: primitives.int32,
  int64: primitives.int64,
  float64: primitives.float64,
  string: primitives.string,
  bytes: primitives.bytes,
  timestamp: primitives.timestamp,
  json: primitives.json,
  list,
  map,
  optional,
  enum: enumeration,
  record,
  union,
} as const;
