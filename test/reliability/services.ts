/**
 * Services of the reliability suite, declared the way generated code declares them
 * (docs/architecture.md): schemas with `t`, callback and service descriptors, abstract bases.
 */
import { RpcError, defineCallback, defineError, defineService, t } from "@svcgen/runtime";
import type { CallContext, CallbackProxy, JsonValue } from "@svcgen/runtime";

/** Secret text that implementations put into exceptions: it must never reach a client. */
export const SECRET = "s3cr3t-Do-Not-Leak-9f2c";

// ---- vault: errors, hostile keys, principals --------------------------------------------

/** A record whose field names are the dangerous ones (generated code escapes them so). */
export interface Doc {
  ["__proto__"]?: JsonValue;
  constructor?: string;
  prototype?: Record<string, number>;
  tags: Record<string, JsonValue>;
  body: JsonValue;
}
export const DocSchema = t.record<Doc>("vault.Doc", () => ({
  ["__proto__"]: t.optional(t.json),
  constructor: t.optional(t.string),
  prototype: t.optional(t.map(t.int32)),
  tags: t.map(t.json),
  body: t.json,
}));

export interface Checked {
  /** No object of the decoded argument had a prototype other than the ordinary ones. */
  ordinary: boolean;
  /** Object.prototype was untouched when the implementation ran. */
  pristine: boolean;
  doc: Doc;
}
export const CheckedSchema = t.record<Checked>("vault.Checked", () => ({
  ordinary: t.bool,
  pristine: t.bool,
  doc: DocSchema,
}));

export interface Vault {
  echo(text: string): Promise<string>;
  explode(): Promise<string>;
  explodeLater(): Promise<string>;
  check(doc: Doc): Promise<Checked>;
  whoami(): Promise<string>;
  admin(): Promise<string>;
  mirror(value: JsonValue): Promise<JsonValue>;
  nest(levels: number): Promise<JsonValue>;
}
export const VaultDescriptor = defineService<Vault>({
  name: "vault.Vault",
  contractHash: "1".repeat(64),
  methods: [
    { name: "echo", params: [{ name: "text", schema: t.string }], returns: t.string },
    { name: "explode", params: [], returns: t.string },
    { name: "explodeLater", params: [], returns: t.string },
    { name: "check", params: [{ name: "doc", schema: DocSchema }], returns: CheckedSchema },
    { name: "whoami", params: [], returns: t.string },
    { name: "admin", params: [], returns: t.string },
    { name: "mirror", params: [{ name: "value", schema: t.json }], returns: t.json },
    { name: "nest", params: [{ name: "levels", schema: t.int32 }], returns: t.json },
  ],
});

function allOrdinary(value: unknown): boolean {
  if (value === null || typeof value !== "object") return true;
  const prototype = Object.getPrototypeOf(value);
  if (![null, Object.prototype, Array.prototype].includes(prototype)) return false;
  return Reflect.ownKeys(value).every((key) => allOrdinary((value as any)[key]));
}

const pristineKeys = Object.getOwnPropertyNames(Object.prototype).sort().join();

export abstract class VaultBase {
  static readonly descriptor = VaultDescriptor;
}

export class VaultImpl extends VaultBase {
  echo(text: string): string {
    return text;
  }

  explode(): string {
    throw new Error(`database password is ${SECRET}`);
  }

  async explodeLater(): Promise<string> {
    await new Promise((resolve) => setImmediate(resolve));
    throw new TypeError(`cannot read ${SECRET} of undefined`);
  }

  check(doc: Doc): Checked {
    return {
      ordinary: allOrdinary(doc),
      pristine: Object.getOwnPropertyNames(Object.prototype).sort().join() === pristineKeys,
      doc,
    };
  }

  whoami(ctx: CallContext): string {
    return JSON.stringify(ctx.principal ?? null);
  }

  admin(): string {
    return "admin done";
  }

  mirror(value: JsonValue): JsonValue {
    return value;
  }

  /** `levels` arrays nested in each other: an answer as deep as asked. */
  nest(levels: number): JsonValue {
    let value: JsonValue = [];
    for (let i = 1; i < levels; i++) value = [value];
    return value;
  }
}

// ---- lab: callbacks and faults -----------------------------------------------------------

/** A declared error of a callback method: the client may refuse to answer with it. */
export class Refused extends RpcError {
  static readonly descriptor = defineError<Refused, { reason: string }>({
    name: "lab.Refused",
    status: 409,
    fields: () => ({ reason: t.string }),
    create: (fields, message) => new Refused(fields, message),
  });
  declare readonly fields: { reason: string };
  constructor(fields: { reason: string }, message?: string) {
    super(Refused.descriptor, fields, message);
  }
}

export interface Probe {
  item(n: number): void | Promise<void>;
  blob(data: string): void | Promise<void>;
  answer(question: string): string | Promise<string>;
}
export const ProbeDescriptor = defineCallback<Probe>({
  name: "lab.Probe",
  contractHash: "2".repeat(64),
  methods: [
    { name: "item", oneway: true, params: [{ name: "n", schema: t.int32 }] },
    { name: "blob", oneway: true, params: [{ name: "data", schema: t.string }] },
    {
      name: "answer",
      params: [{ name: "question", schema: t.string }],
      returns: t.string,
      throws: [Refused.descriptor],
    },
  ],
});

export interface Lab {
  hold(probe: Probe): Promise<void>;
  ask(probe: Probe, question: string): Promise<string>;
  flood(probe: Probe, size: number): Promise<void>;
  wait(ms: number): Promise<string>;
  echo(n: number): Promise<number>;
  bump(): Promise<number>;
  touch(): Promise<number>;
  relay(question: string): Promise<string>;
  reject(probe: Probe): Promise<void>;
}
export const LabDescriptor = defineService<Lab>({
  name: "lab.Lab",
  contractHash: "3".repeat(64),
  methods: [
    { name: "hold", params: [{ name: "probe", callback: ProbeDescriptor }] },
    {
      name: "ask",
      params: [
        { name: "probe", callback: ProbeDescriptor },
        { name: "question", schema: t.string },
      ],
      returns: t.string,
    },
    {
      name: "flood",
      params: [
        { name: "probe", callback: ProbeDescriptor },
        { name: "size", schema: t.int32 },
      ],
    },
    { name: "wait", params: [{ name: "ms", schema: t.int32 }], returns: t.string },
    { name: "echo", params: [{ name: "n", schema: t.int32 }], returns: t.int32 },
    /** Not idempotent: a lost connection fails it with -32007. */
    { name: "bump", params: [], returns: t.int32 },
    /** Idempotent: a client retries it after a reconnect. */
    { name: "touch", idempotent: true, params: [], returns: t.int32 },
    /** Asks the last held probe; only its declared error is caught (callable over HTTP too). */
    { name: "relay", params: [{ name: "question", schema: t.string }], returns: t.string },
    /** Takes a callback and fails. */
    { name: "reject", params: [{ name: "probe", callback: ProbeDescriptor }] },
  ],
});

export abstract class LabBase {
  static readonly descriptor = LabDescriptor;
}

export class LabImpl extends LabBase {
  /** Release reasons by callback id, as `connection/id:reason`, in the order they came. */
  readonly releases: string[] = [];
  /** Calls whose signal aborted, as the `ms` they were asked to wait. */
  readonly aborted: number[] = [];
  /** Calls started, by method name. */
  readonly started: string[] = [];
  /** What each `ask` ended with: `ok:<answer>` or `error:<code>`. */
  readonly outcomes: string[] = [];
  /** Open to let `bump` and `touch` answer. */
  gate: Promise<void> = Promise.resolve();
  /** Every probe `hold` was given, in order. */
  readonly held: CallbackProxy<Probe>[] = [];

  hold(probe: CallbackProxy<Probe>, ctx: CallContext): void {
    this.held.push(probe);
    probe.onRelease((reason) => this.releases.push(`${ctx.connection?.id}/${probe.id}:${reason}`));
  }

  async ask(probe: CallbackProxy<Probe>, question: string, ctx: CallContext): Promise<string> {
    this.hold(probe, ctx);
    this.started.push("ask");
    let outcome: string;
    try {
      outcome = `ok:${await probe.answer(question)}`;
    } catch (error) {
      outcome = `error:${(error as RpcError).code}`;
    }
    this.outcomes.push(outcome);
    return outcome;
  }

  async flood(probe: CallbackProxy<Probe>, size: number, ctx: CallContext): Promise<void> {
    this.hold(probe, ctx);
    const chunk = "x".repeat(size);
    // Pushes until the reader is cut off for not reading (the proxy is then released).
    for (let i = 0; i < 1_000_000 && !probe.released; i++) {
      await probe.blob(chunk).catch(() => undefined);
      if (i % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async wait(ms: number, ctx: CallContext): Promise<string> {
    this.started.push("wait");
    const aborted = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      ctx.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (aborted) this.aborted.push(ms);
    return aborted ? "aborted" : "done";
  }

  echo(n: number): number {
    return n;
  }

  async bump(): Promise<number> {
    this.started.push("bump");
    await this.gate;
    return this.started.length;
  }

  async touch(): Promise<number> {
    this.started.push("touch");
    await this.gate;
    return this.started.length;
  }

  async relay(question: string): Promise<string> {
    const probe = this.held.at(-1);
    if (probe === undefined) throw new Error("no probe held");
    try {
      return await probe.answer(question);
    } catch (error) {
      // The callback's declared error arrives as its class; anything else escapes.
      if (error instanceof Refused) return `refused:${error.fields.reason}`;
      throw error;
    }
  }

  reject(probe: CallbackProxy<Probe>, ctx: CallContext): void {
    this.hold(probe, ctx);
    throw new Error("rejected");
  }
}
