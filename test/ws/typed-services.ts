/**
 * A service with one echo method per IDL type of ../codec/wire-arbitraries.ts, a declared
 * error whose fields are int64, bytes and timestamp, and a callback carrying all of them:
 * what a real socket must carry unchanged under both encodings.
 */
import { RpcError, defineCallback, defineError, defineService, t } from "@svcgen/runtime";
import type { CallbackProxy } from "@svcgen/runtime";
import { cases } from "../codec/wire-arbitraries.js";

/** The echo method of `cases[i]`. */
export const echoName = (i: number) => `echo${i}`;

export interface Sample {
  count: bigint;
  data: Uint8Array;
  at: Date;
  labels: Record<string, bigint>;
  note?: string;
}
export const SampleSchema = t.record<Sample>("types.Sample", () => ({
  count: t.int64,
  data: t.bytes,
  at: t.timestamp,
  labels: t.map(t.int64),
  note: t.optional(t.string),
}));

export class Refused extends RpcError {
  static readonly descriptor = defineError<Refused, { code: bigint; token: Uint8Array; at: Date }>({
    name: "types.Refused",
    status: 409,
    fields: () => ({ code: t.int64, token: t.bytes, at: t.timestamp }),
    create: (fields, message) => new Refused(fields, message),
  });
  declare readonly fields: { code: bigint; token: Uint8Array; at: Date };
  constructor(fields: { code: bigint; token: Uint8Array; at: Date }, message?: string) {
    super(Refused.descriptor, fields, message);
  }
}

export interface Watcher {
  seen(sample: Sample): void | Promise<void>;
  transform(sample: Sample): Sample | Promise<Sample>;
  refuse(sample: Sample): void | Promise<void>;
}
export const WatcherDescriptor = defineCallback<Watcher>({
  name: "types.Watcher",
  contractHash: "d".repeat(64),
  methods: [
    { name: "seen", oneway: true, params: [{ name: "sample", schema: SampleSchema }] },
    {
      name: "transform",
      params: [{ name: "sample", schema: SampleSchema }],
      returns: SampleSchema,
    },
    {
      name: "refuse",
      params: [{ name: "sample", schema: SampleSchema }],
      throws: [Refused.descriptor],
    },
  ],
});

export const TypesDescriptor = defineService({
  name: "types.Types",
  contractHash: "e".repeat(64),
  methods: [
    ...cases.map(([, schema], i) => ({
      name: echoName(i),
      params: [{ name: "value", schema }],
      returns: schema,
    })),
    {
      name: "refuse",
      params: [{ name: "sample", schema: SampleSchema }],
      throws: [Refused.descriptor],
    },
    {
      name: "watch",
      params: [
        { name: "watcher", callback: WatcherDescriptor },
        { name: "sample", schema: SampleSchema },
      ],
      returns: SampleSchema,
      throws: [Refused.descriptor],
    },
  ],
});

/** What the watch method did with the client's callback, for the test to look at. */
export interface WatchOutcome {
  transformed: Sample;
  refusal: unknown;
}

export class TypesImpl {
  static readonly descriptor = TypesDescriptor;
  readonly outcomes: WatchOutcome[] = [];

  refuse(sample: Sample): never {
    throw new Refused({ code: sample.count, token: sample.data, at: sample.at }, "refused");
  }

  /** Pushes the sample (oneway), has the client transform it and refuse it (awaited). */
  async watch(watcher: CallbackProxy<Watcher>, sample: Sample): Promise<Sample> {
    await watcher.seen(sample);
    const transformed = await watcher.transform(sample);
    let refusal: unknown;
    try {
      await watcher.refuse(transformed);
    } catch (error) {
      refusal = error;
    }
    this.outcomes.push({ transformed, refusal });
    if (refusal instanceof Refused) throw new Refused(refusal.fields, "passed on");
    return transformed;
  }
}
for (const [i] of cases.entries()) {
  Object.defineProperty(TypesImpl.prototype, echoName(i), { value: (value: unknown) => value });
}
