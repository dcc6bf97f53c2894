/** A module shaped like the generator's output for the jobs example of docs/architecture.md. */
import { t, defineService, defineCallback, defineError, RpcError } from "@svcgen/runtime";
import type { TypedRecordSchema } from "@svcgen/runtime";

export type JobState = "Queued" | "Running";
export const JobStateSchema = t.enum<JobState>("jobs.JobState", ["Queued", "Running"]);

export interface JobInfo {
  id: string;
  state: JobState;
  startedAt?: Date;
  tags: string[];
}
export const JobInfoSchema = t.record<JobInfo>("jobs.JobInfo", () => ({
  id: t.string,
  state: JobStateSchema,
  startedAt: t.optional(t.timestamp),
  tags: t.list(t.string),
}));

export type Shape = { case: "circle"; value: number } | { case: "square"; value: number };
export const ShapeSchema = t.union<Shape>("jobs.Shape", () => ({
  circle: t.float64,
  square: t.float64,
}));

export interface Node {
  label: string;
  children: Node[];
  next?: Node;
}
export const NodeSchema: TypedRecordSchema<Node> = t.record<Node>("jobs.Node", () => ({
  label: t.string,
  children: t.list(NodeSchema),
  next: t.optional(NodeSchema),
}));

export class JobNotFound extends RpcError {
  static readonly descriptor = defineError<JobNotFound, { id: string; ["__proto__"]?: string }>({
    name: "jobs.JobNotFound",
    status: 404,
    fields: () => ({ id: t.string, ["__proto__"]: t.optional(t.string) }),
    create: (fields, message) => new JobNotFound(fields, message),
  });
  readonly id: string;
  constructor(fields: { id: string; ["__proto__"]?: string }, message?: string) {
    super(JobNotFound.descriptor, fields, message);
    this.id = fields.id;
  }
}

export interface JobEvents {
  progress(id: string, percent: number): void | Promise<void>;
  confirm(question: string): boolean | Promise<boolean>;
}
export const JobEventsDescriptor = defineCallback<JobEvents>({
  name: "jobs.JobEvents",
  contractHash: "0".repeat(64),
  methods: [
    {
      name: "progress",
      oneway: true,
      params: [
        { name: "id", schema: t.string },
        { name: "percent", schema: t.float64 },
      ],
    },
    { name: "confirm", params: [{ name: "question", schema: t.string }], returns: t.bool },
  ],
});

export const JobServiceDescriptor = defineService({
  name: "jobs.JobService",
  contractHash: "1".repeat(64),
  methods: [
    {
      name: "start",
      params: [
        { name: "name", schema: t.string },
        { name: "events", callback: JobEventsDescriptor },
      ],
      returns: t.string,
    },
    {
      name: "get",
      idempotent: true,
      params: [{ name: "id", schema: t.string }],
      returns: JobInfoSchema,
      throws: [JobNotFound.descriptor],
    },
    {
      name: "find",
      params: [
        { name: "state", schema: JobStateSchema },
        { name: "limit", schema: t.int32 },
        { name: "since", optional: true, schema: t.timestamp },
        { name: "extra", schema: t.optional(t.json) },
      ],
      returns: t.list(JobInfoSchema),
    },
    { name: "cancel", params: [{ name: "id", schema: t.string }] },
  ],
});

export function methodOf(name: string) {
  const method = JobServiceDescriptor.methods.get(name);
  if (!method) throw new Error(`no method ${name}`);
  return method;
}
