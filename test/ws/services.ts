/**
 * Test services written the way generated code declares them (docs/architecture.md):
 * schemas with `t`, callback and service descriptors, error classes, abstract bases.
 */
import {
  CallbackGroup,
  RpcError,
  defineCallback,
  defineError,
  defineService,
  t,
} from "@svcgen/runtime";
import type { CallContext, CallbackProxy } from "@svcgen/runtime";

// ---- chat: the scenario of idl/chat.svc ------------------------------------------------

export interface Message {
  from: string;
  text: string;
  sentAt: Date;
}
export const MessageSchema = t.record<Message>("chat.Message", () => ({
  from: t.string,
  text: t.string,
  sentAt: t.timestamp,
}));

export interface ChatMember {
  message(message: Message): void | Promise<void>;
  joined(name: string): void | Promise<void>;
  left(name: string, reason: string): void | Promise<void>;
}
export const ChatMemberDescriptor = defineCallback<ChatMember>({
  name: "chat.ChatMember",
  contractHash: "a".repeat(64),
  methods: [
    { name: "message", oneway: true, params: [{ name: "message", schema: MessageSchema }] },
    { name: "joined", oneway: true, params: [{ name: "name", schema: t.string }] },
    {
      name: "left",
      oneway: true,
      params: [
        { name: "name", schema: t.string },
        { name: "reason", schema: t.string },
      ],
    },
  ],
});

export class NameTaken extends RpcError {
  static readonly descriptor = defineError<NameTaken, { name: string }>({
    name: "chat.NameTaken",
    status: 409,
    fields: () => ({ name: t.string }),
    create: (fields, message) => new NameTaken(fields, message),
  });
  constructor(fields: { name: string }, message?: string) {
    super(NameTaken.descriptor, fields, message);
  }
}

export interface ChatRoom {
  join(name: string, member: ChatMember): Promise<string[]>;
  send(text: string): Promise<void>;
  leave(): Promise<void>;
  members(): Promise<string[]>;
}
export const ChatRoomDescriptor = defineService<ChatRoom>({
  name: "chat.ChatRoom",
  contractHash: "b".repeat(64),
  methods: [
    {
      name: "join",
      params: [
        { name: "name", schema: t.string },
        { name: "member", callback: ChatMemberDescriptor },
      ],
      returns: t.list(t.string),
      throws: [NameTaken.descriptor],
    },
    { name: "send", params: [{ name: "text", schema: t.string }] },
    { name: "leave", params: [] },
    { name: "members", idempotent: true, params: [], returns: t.list(t.string) },
  ],
});

export abstract class ChatRoomBase {
  static readonly descriptor = ChatRoomDescriptor;
  abstract join(name: string, member: CallbackProxy<ChatMember>, ctx: CallContext): string[];
  abstract send(text: string, ctx: CallContext): void;
  abstract leave(ctx: CallContext): void;
  abstract members(ctx: CallContext): string[];
}

/** One room shared by all connections; a member is known by its connection id. */
export class Room extends ChatRoomBase {
  readonly group = new CallbackGroup<ChatMember>();
  readonly names = new Map<string, { name: string; proxy: CallbackProxy<ChatMember> }>();
  /** Release reasons seen by the server, as `name:reason`. */
  readonly releases: string[] = [];

  join(name: string, member: CallbackProxy<ChatMember>, ctx: CallContext): string[] {
    if ([...this.names.values()].some((m) => m.name === name)) throw new NameTaken({ name });
    const already = [...this.names.values()].map((m) => m.name);
    this.group.broadcast.joined(name);
    this.names.set(ctx.connection!.id, { name, proxy: member });
    this.group.add(member);
    member.onRelease((reason) => {
      this.releases.push(`${name}:${reason}`);
      this.names.delete(ctx.connection!.id);
      this.group.broadcast.left(name, reason);
    });
    return already;
  }

  send(text: string, ctx: CallContext): void {
    const me = this.names.get(ctx.connection!.id);
    if (!me) throw new RpcError(-32005, "not joined");
    this.group.broadcast.message({ from: me.name, text, sentAt: new Date(0) });
  }

  leave(ctx: CallContext): void {
    this.names.get(ctx.connection!.id)?.proxy.release("left");
  }

  members(): string[] {
    return [...this.names.values()].map((m) => m.name).sort();
  }
}

// ---- lab: one method per behaviour under test --------------------------------------------

export interface Probe {
  item(n: number): void | Promise<void>;
  blob(data: string): void | Promise<void>;
  answer(question: string): string | Promise<string>;
}
export const ProbeDescriptor = defineCallback<Probe>({
  name: "lab.Probe",
  contractHash: "c".repeat(64),
  methods: [
    { name: "item", oneway: true, params: [{ name: "n", schema: t.int32 }] },
    { name: "blob", oneway: true, params: [{ name: "data", schema: t.string }] },
    { name: "answer", params: [{ name: "question", schema: t.string }], returns: t.string },
  ],
});

export interface Lab {
  push(probe: Probe, count: number): Promise<number>;
  ask(probe: Probe, question: string): Promise<string>;
  flood(probe: Probe, size: number): Promise<void>;
  hold(probe: Probe): Promise<void>;
  dismiss(probe: Probe, reason: string): Promise<void>;
  wait(ms: number): Promise<string>;
  echo(n: number): Promise<number>;
  bump(): Promise<number>;
  touch(): Promise<number>;
}
export const LabDescriptor = defineService<Lab>({
  name: "lab.Lab",
  contractHash: "d".repeat(64),
  methods: [
    {
      name: "push",
      params: [
        { name: "probe", callback: ProbeDescriptor },
        { name: "count", schema: t.int32 },
      ],
      returns: t.int32,
    },
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
    { name: "hold", params: [{ name: "probe", callback: ProbeDescriptor }] },
    {
      name: "dismiss",
      params: [
        { name: "probe", callback: ProbeDescriptor },
        { name: "reason", schema: t.string },
      ],
    },
    { name: "wait", params: [{ name: "ms", schema: t.int32 }], returns: t.string },
    { name: "echo", params: [{ name: "n", schema: t.int32 }], returns: t.int32 },
    /** Not idempotent: a lost connection fails it with -32007. */
    { name: "bump", params: [], returns: t.int32 },
    /** Idempotent: retried after a reconnect. */
    { name: "touch", idempotent: true, params: [], returns: t.int32 },
  ],
});

export abstract class LabBase {
  static readonly descriptor = LabDescriptor;
}

/** Resolves when `signal` aborts or `ms` pass. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export class LabImpl extends LabBase {
  /** Proxies seen by `hold`, in order; the same callback object gives the same proxy. */
  readonly held: CallbackProxy<Probe>[] = [];
  readonly releases: string[] = [];
  readonly cancelled: number[] = [];
  /** Resolves the next time a probe of `hold` is released. */
  releaseWaiters: ((reason: string) => void)[] = [];
  /** Calls of bump/touch that arrived; they answer only when `gate` opens. */
  arrivals = 0;
  gate: Promise<void> = Promise.resolve();

  async push(probe: CallbackProxy<Probe>, count: number): Promise<number> {
    for (let n = 0; n < count; n++) await probe.item(n);
    return count;
  }

  async ask(probe: CallbackProxy<Probe>, question: string): Promise<string> {
    try {
      return `ok:${await probe.answer(question)}`;
    } catch (error) {
      const e = error as RpcError;
      return `error:${e instanceof RpcError}:${e.code}:${e.message}`;
    }
  }

  async flood(probe: CallbackProxy<Probe>, size: number): Promise<void> {
    const chunk = "x".repeat(size);
    // Pushes until the slow consumer is cut off (the proxy is then released).
    for (let i = 0; i < 100_000 && !probe.released; i++) {
      await probe.blob(chunk).catch(() => undefined);
      if (i % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  hold(probe: CallbackProxy<Probe>): void {
    this.held.push(probe);
    probe.onRelease((reason) => {
      this.releases.push(reason);
      for (const waiter of this.releaseWaiters.splice(0)) waiter(reason);
    });
  }

  dismiss(probe: CallbackProxy<Probe>, reason: string): void {
    probe.release(reason);
  }

  async wait(ms: number, ctx: CallContext): Promise<string> {
    const aborted = await sleep(ms, ctx.signal);
    if (aborted) this.cancelled.push(ms);
    return aborted ? "aborted" : "done";
  }

  echo(n: number): number {
    return n;
  }

  async bump(): Promise<number> {
    this.arrivals++;
    await this.gate;
    return this.arrivals;
  }

  async touch(): Promise<number> {
    this.arrivals++;
    await this.gate;
    return this.arrivals;
  }

  nextRelease(): Promise<string> {
    return new Promise((resolve) => this.releaseWaiters.push(resolve));
  }
}

// ---- session: one implementation instance per connection ---------------------------------

export const SessionDescriptor = defineService({
  name: "lab.Session",
  contractHash: "e".repeat(64),
  methods: [{ name: "count", params: [], returns: t.int32 }],
});

export abstract class SessionBase {
  static readonly descriptor = SessionDescriptor;
  abstract count(ctx: CallContext): number;
}

export class Session extends SessionBase {
  #calls = 0;
  count(): number {
    return ++this.#calls;
  }
}
