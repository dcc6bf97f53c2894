/** A small service with an awaited and a oneway callback, for interceptors, tracing and rate limits. */
import {
  RpcError,
  defineCallback,
  defineService,
  t,
  type CallContext,
  type CallbackProxy,
  type JsonValue,
} from "@svcgen/runtime";

export interface Asker {
  answer(question: string): string | Promise<string>;
  note(text: string): void;
}
export const AskerDescriptor = defineCallback<Asker>({
  name: "ops.Asker",
  contractHash: "1".repeat(64),
  methods: [
    { name: "answer", params: [{ name: "question", schema: t.string }], returns: t.string },
    { name: "note", oneway: true, params: [{ name: "text", schema: t.string }] },
  ],
});

export const DeskDescriptor = defineService({
  name: "ops.Desk",
  contractHash: "2".repeat(64),
  methods: [
    { name: "echo", params: [{ name: "n", schema: t.int32 }], returns: t.int32 },
    /** What generated code declares for `@rateLimit("3/min")`. */
    { name: "limited", rateLimit: "3/min", params: [], returns: t.string },
    { name: "whoami", params: [], returns: t.json },
    { name: "crash", params: [], returns: t.string },
    {
      name: "ask",
      params: [
        { name: "asker", callback: AskerDescriptor },
        { name: "question", schema: t.string },
      ],
      returns: t.string,
    },
    {
      name: "tell",
      params: [
        { name: "asker", callback: AskerDescriptor },
        { name: "text", schema: t.string },
      ],
      returns: t.bool,
    },
  ],
});

export abstract class DeskBase {
  static readonly descriptor = DeskDescriptor;
}

export class Desk extends DeskBase {
  calls = 0;

  echo(n: number): number {
    this.calls++;
    return n;
  }

  limited(): string {
    return "ok";
  }

  whoami(ctx: CallContext): JsonValue {
    return (ctx.principal ?? null) as JsonValue;
  }

  crash(): string {
    throw new Error("boom");
  }

  async ask(asker: CallbackProxy<Asker>, question: string): Promise<string> {
    return `answered:${await asker.answer(question)}`;
  }

  tell(asker: CallbackProxy<Asker>, text: string): Promise<boolean> {
    return asker.note(text);
  }
}

/** `RpcError` of a failed promise (throws when it did not fail). */
export async function failure(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RpcError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}
