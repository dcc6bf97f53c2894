/**
 * Coalesced frames over real sockets (PROTOCOL.md, "Coalesced frames"): who gets them, how
 * many frames a burst takes, the 64 KiB cap, seq and replay inside batches, the svcgen
 * client's own coalescing (seen by a raw `ws` server), and hostile batches.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import { WebSocketServer } from "ws";
import {
  RpcServer,
  connectWebSocket,
  defineCallback,
  defineService,
  t,
  type CallbackProxy,
  type CallContext,
} from "@svcgen/runtime";
import { RawClient, until } from "../support/raw-clients.js";
import {
  coalescedFrameMessages,
  firstFrameMessages,
} from "../../packages/runtime/src/session/index.js";

/** Frames a burst of `count` messages in one turn leaves in: 32 early, then up to 100 each. */
function framesOfBurst(count: number): number {
  return count <= firstFrameMessages
    ? 1
    : 1 + Math.ceil((count - firstFrameMessages) / coalescedFrameMessages);
}

// ---- a service that pushes a burst in one turn -------------------------------------

interface Sink {
  item(i: number, text: string): void;
}
const SinkDescriptor = defineCallback<Sink>({
  name: "batch.Sink",
  contractHash: "e".repeat(64),
  methods: [
    {
      name: "item",
      oneway: true,
      params: [
        { name: "i", schema: t.int32 },
        { name: "text", schema: t.string },
      ],
    },
  ],
});
interface Pusher {
  subscribe(sink: Sink): Promise<void>;
  push(count: number, size: number): Promise<number>;
  pushThenAnswer(count: number, size: number): Promise<number>;
  echo(n: number): Promise<number>;
  sum(nested: number[][]): Promise<number>;
}
const PusherDescriptor = defineService<Pusher>({
  name: "batch.Pusher",
  contractHash: "f".repeat(64),
  methods: [
    { name: "subscribe", params: [{ name: "sink", callback: SinkDescriptor }] },
    {
      name: "push",
      params: [
        { name: "count", schema: t.int32 },
        { name: "size", schema: t.int32 },
      ],
      returns: t.int32,
    },
    {
      name: "pushThenAnswer",
      params: [
        { name: "count", schema: t.int32 },
        { name: "size", schema: t.int32 },
      ],
      returns: t.int32,
    },
    { name: "echo", params: [{ name: "n", schema: t.int32 }], returns: t.int32 },
    {
      name: "sum",
      params: [{ name: "nested", schema: t.list(t.list(t.int32)) }],
      returns: t.int32,
    },
  ],
});
class PusherImpl {
  static readonly descriptor = PusherDescriptor;
  readonly sinks = new Map<string, CallbackProxy<Sink>>();
  subscribe(sink: CallbackProxy<Sink>, ctx: CallContext): void {
    this.sinks.set(ctx.connection!.id, sink);
  }
  /** `count` oneway pushes of `size` characters, all in this turn. */
  push(count: number, size: number, ctx: CallContext): number {
    const sink = this.sinks.get(ctx.connection!.id)!;
    const text = "x".repeat(size);
    for (let i = 1; i <= count; i++) sink.item(i, text).catch(() => undefined);
    return count;
  }
  /** The pushes, then the answer once the last is queued (a few promise hops later). */
  async pushThenAnswer(count: number, size: number, ctx: CallContext): Promise<number> {
    const sink = this.sinks.get(ctx.connection!.id)!;
    const text = "x".repeat(size);
    let last: Promise<unknown> = Promise.resolve();
    for (let i = 1; i <= count; i++) last = sink.item(i, text);
    await last;
    await new Promise((resolve) => process.nextTick(resolve));
    return count;
  }
  echo(n: number): number {
    return n;
  }
  sum(nested: number[][]): number {
    return nested.flat().reduce((a, b) => a + b, 0);
  }
}

let cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups = [];
});

async function server(options: ConstructorParameters<typeof RpcServer>[0] = {}) {
  const rpc = new RpcServer({ logger: false, heartbeatMs: 60_000, ...options });
  const impl = new PusherImpl();
  rpc.register(impl as never);
  const { port } = await rpc.listen({ port: 0, host: "127.0.0.1" });
  cleanups.push(() => rpc.close());
  return { rpc, impl, url: `ws://127.0.0.1:${port}/ws` };
}

async function raw(url: string): Promise<RawClient> {
  const client = new RawClient(url);
  cleanups.push(() => client.close());
  await client.opened;
  return client;
}

/** Opens a session on a raw client; returns the answer's result. */
async function open(client: RawClient, features: string[], resume: string | null = null, ack = 0) {
  const answer = await client.request(0, "$/session", { resume, ack, features });
  return answer.result;
}

const request = (seq: number | undefined, id: number, method: string, params: unknown) => ({
  jsonrpc: "2.0",
  ...(seq === undefined ? {} : { seq }),
  id,
  method: `batch.Pusher.${method}`,
  params,
});

/** Frames received after the handshake answer, parsed; each a message or an array. */
const framesAfterHandshake = (client: RawClient) => client.values.slice(1);
const itemsIn = (value: unknown) =>
  [value].flat().filter((m: any) => m?.method === "$/callback").length;

describe("negotiation", () => {
  test('the server accepts "batch" when asked, and only then', async () => {
    const { url } = await server();
    expect((await open(await raw(url), ["batch"])).features).toEqual(["batch"]);
    expect((await open(await raw(url), [])).features).toEqual([]);
    expect((await open(await raw(url), ["other", "batch"])).features).toEqual(["batch"]);
  });

  test("a server with batch: false, or a maxBatchSize below 100, does not offer it", async () => {
    const off = await server({ sessions: { batch: false } });
    expect((await open(await raw(off.url), ["batch"])).features).toEqual([]);
    const small = await server({ limits: { maxBatchSize: 10 } });
    expect((await open(await raw(small.url), ["batch"])).features).toEqual([]);
  });
});

describe("the server coalesces for a peer that asked", () => {
  test("a burst of 250 pushes and the answer leave in frames of 32, then 100, seq exact", async () => {
    const { url } = await server();
    const client = await raw(url);
    await open(client, ["batch"]);
    client.send(request(1, 1, "subscribe", { sink: "s1" }));
    await client.next((m) => m.id === 1);
    const before = client.values.length;
    client.send(request(2, 2, "push", { count: 250, size: 10 }));
    await client.next((m) => m.id === 2);
    await until(() => client.messages.filter((m) => m.method === "$/callback").length === 250);
    const frames = client.values.slice(before);
    expect(frames.length).toBe(framesOfBurst(251));
    expect(frames.map((frame) => [frame].flat().length).slice(0, 2)).toEqual([
      firstFrameMessages,
      coalescedFrameMessages,
    ]);
    // Every message keeps its own seq, in order, without gaps (the subscribe answer was 1).
    const seqs = frames.flat().map((m: any) => m.seq);
    expect(seqs).toEqual(Array.from({ length: 251 }, (_, i) => i + 2));
    const items = frames.flat().filter((m: any) => m.method === "$/callback");
    expect(items.map((m: any) => m.params.args.i)).toEqual(
      Array.from({ length: 250 }, (_, i) => i + 1),
    );
  });

  test("no frame is over 64 KiB; a message larger than that goes alone", async () => {
    const { url } = await server();
    const client = await raw(url);
    await open(client, ["batch"]);
    client.send(request(1, 1, "subscribe", { sink: "s1" }));
    await client.next((m) => m.id === 1);
    const before = client.frames.length;
    client.send(request(2, 2, "push", { count: 60, size: 4000 }));
    await until(() => client.messages.filter((m) => m.method === "$/callback").length === 60);
    const sizes = client.frames.slice(before).map((frame) => Buffer.byteLength(frame));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(64 * 1024);
    // 60 × ~4.1 KB: as few frames as the cap allows (15 fit in one), not one per message.
    expect(sizes.length).toBeLessThanOrEqual(6);

    const big = client.frames.length;
    client.send(request(3, 3, "push", { count: 3, size: 70_000 }));
    await until(() => client.messages.filter((m) => m.method === "$/callback").length === 63);
    const bigFrames = client.frames.slice(big).map((frame) => JSON.parse(frame));
    const alone = bigFrames.filter((frame) => !Array.isArray(frame) && frame.method);
    expect(alone).toHaveLength(3);
  });

  test("a client that did not ask (no session, or a session without batch) gets one message per frame", async () => {
    const { url } = await server();
    const plain = await raw(url);
    plain.send(request(undefined, 1, "subscribe", { sink: "s1" }));
    await plain.next((m) => m.id === 1);
    plain.send(request(undefined, 2, "push", { count: 50, size: 10 }));
    await until(() => plain.messages.filter((m) => m.method === "$/callback").length === 50);
    expect(plain.values.every((value) => !Array.isArray(value))).toBe(true);

    const sequenced = await raw(url);
    await open(sequenced, []);
    sequenced.send(request(1, 1, "subscribe", { sink: "s1" }));
    await sequenced.next((m) => m.id === 1);
    sequenced.send(request(2, 2, "push", { count: 50, size: 10 }));
    await until(() => sequenced.messages.filter((m) => m.method === "$/callback").length === 50);
    expect(sequenced.values.every((value) => !Array.isArray(value))).toBe(true);
  });

  test("a replay after resume is coalesced too, with the original seq", async () => {
    const { url } = await server();
    const first = await raw(url);
    const { session } = await open(first, ["batch"]);
    first.send(request(1, 1, "subscribe", { sink: "s1" }));
    await first.next((m) => m.id === 1);
    first.send(request(2, 2, "push", { count: 120, size: 10 }));
    await until(() => first.messages.filter((m) => m.method === "$/callback").length === 120);
    await first.vanish();

    // Received up to seq 1 only (the subscribe answer): 121 messages are replayed.
    const second = await raw(url);
    const answer = await open(second, ["batch"], session, 1);
    expect(answer.resumed).toBe(true);
    await until(() => second.messages.filter((m) => m.method === "$/callback").length === 120);
    const replay = framesAfterHandshake(second);
    expect(replay.length).toBeLessThanOrEqual(framesOfBurst(121));
    expect(replay.flat().map((m: any) => m.seq)).toEqual(
      Array.from({ length: 121 }, (_, i) => i + 2),
    );
    expect(replay.reduce((sum: number, frame: unknown) => sum + itemsIn(frame), 0)).toBe(120);
  });
});

describe("bursts and the unacknowledged bound", () => {
  test("a burst larger than maxUnackedBytes is not a slow consumer before the client could ack", async () => {
    // The burst leaves the process (uncorked) before its answer goes; the client has had no
    // chance to acknowledge any of it yet.
    const { url } = await server({ sessions: { maxUnackedBytes: 256 * 1024 } });
    const client = await connectWebSocket(url, { heartbeatMs: 0 });
    cleanups.push(() => client.close());
    const closes: number[] = [];
    client.on("close", ({ code }) => closes.push(code));
    let received = 0;
    await client.call(PusherDescriptor, "subscribe", [{ item: () => void received++ }]);
    for (let round = 1; round <= 3; round++) {
      await client.call(PusherDescriptor, "pushThenAnswer", [5000, 100]);
      await until(() => received === round * 5000);
    }
    expect(closes).toEqual([]);
  });

  test("a client that never acknowledges is still closed as a slow consumer", async () => {
    const { url } = await server({ sessions: { maxUnackedBytes: 64 * 1024 } });
    const client = await raw(url);
    await open(client, ["batch"]);
    client.send(request(1, 1, "subscribe", { sink: "s1" }));
    await client.next((m) => m.id === 1);
    // Bursts in separate turns; the raw client reads them all and acknowledges nothing.
    for (let i = 0; i < 20 && client.socket.readyState === client.socket.OPEN; i++) {
      client.send(request(i + 2, i + 2, "push", { count: 100, size: 100 }));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await client.closed).code).toBe(1008);
  });
});

describe("the server reads coalesced frames", () => {
  test("a batch of calls, answers and acks in one frame: each handled as if alone", async () => {
    const { url } = await server();
    const client = await raw(url);
    await open(client, ["batch"]);
    client.send([
      request(1, 1, "echo", { n: 1 }),
      { jsonrpc: "2.0", method: "$/ack", params: { seq: 0 } },
      request(2, 2, "echo", { n: 2 }),
      // An answer to nothing the server asked is ignored, not answered.
      { jsonrpc: "2.0", seq: 3, id: 99, result: null },
      request(4, 4, "echo", { n: 4 }),
    ]);
    await client.next((m) => m.id === 4);
    const isAnswer = (m: any) => m.id !== 0 && "result" in m;
    await until(() => client.messages.filter(isAnswer).length >= 3);
    const answers = client.messages.filter(isAnswer);
    expect(answers.map((m) => [m.id, m.result]).sort()).toEqual([
      [1, 1],
      [2, 2],
      [4, 4],
    ]);
    expect(answers.map((m) => m.seq).sort()).toEqual([1, 2, 3]);
  });

  test("the batch array is not a level: a message at exactly maxDepth is accepted in a batch", async () => {
    const { url } = await server({ limits: { maxDepth: 4 } });
    const client = await raw(url);
    await open(client, ["batch"]);
    // Envelope, params, and two lists: 4 levels, the limit, alone or in a batch.
    const sum = (seq: number, id: number, nested: string) =>
      `{"jsonrpc":"2.0","seq":${seq},"id":${id},"method":"batch.Pusher.sum","params":{"nested":${nested}}}`;
    client.send(`[${sum(1, 1, "[[1,2]]")},${sum(2, 2, "[[3],[4]]")}]`);
    await until(() => client.messages.filter((m) => m.id === 1 || m.id === 2).length === 2);
    const answers = client.messages.filter((m) => m.id === 1 || m.id === 2);
    expect(answers.map((m) => m.result).sort()).toEqual([3, 7]);
    // One level more is too deep in a batch as it is alone.
    client.send(`[${sum(3, 3, "[[[1]]]")}]`);
    const refused = await client.next((m) => m.id === 3);
    expect(refused.error).toEqual({ code: -32602, message: "Invalid params: nested too deeply" });
  });
});

describe("hostile batches leave the server up and others served", () => {
  test("over maxBatchSize in a session: each request refused with -32006, its seq taken", async () => {
    const { url } = await server({ limits: { maxBatchSize: 100 } });
    const client = await raw(url);
    await open(client, ["batch"]);
    client.send(Array.from({ length: 101 }, (_, i) => request(i + 1, i + 1, "echo", { n: i })));
    await until(() => client.messages.filter((m) => m.error).length === 101);
    const answers = client.messages.filter((m) => m.id !== 0 && m.method !== "$/ack");
    expect(answers).toHaveLength(101);
    expect(answers.every((m) => m.error?.code === -32006)).toBe(true);
    // The session goes on: the next seq is 102.
    client.send(request(102, 500, "echo", { n: 5 }));
    expect((await client.next((m) => m.id === 500)).result).toBe(5);
  });

  test("junk, deep, huge: the offender is refused or closed, the others are served", async () => {
    const { url } = await server({ limits: { maxFrameBytes: 256 * 1024 } });
    const bystander = await raw(url);
    await open(bystander, ["batch"]);

    const junk = await raw(url);
    await open(junk, ["batch"]);
    junk.send([1, "x", null, [], { seq: 1 }, { jsonrpc: "2.0", seq: 2, result: 1 }]);
    const junkClosed = await junk.closed;
    expect(junkClosed.code).toBe(1002); // a member without seq, or with a jump

    const deep = await raw(url);
    await open(deep, ["batch"]);
    deep.send(`[${"[".repeat(100_000)}${"]".repeat(100_000)}]`);
    await deep.closed; // larger than the frame limit, or refused: never a crash

    const huge = await raw(url);
    await open(huge, ["batch"]);
    huge.send(
      `[${Array.from({ length: 4000 }, (_, i) => JSON.stringify(request(i + 1, i + 1, "echo", { n: i }))).join(",")}]`,
    );
    expect((await huge.closed).code).toBe(1009);

    const plain = await raw(url);
    plain.send([...Array.from({ length: 50 }, () => ({ jsonrpc: "2.0", id: null, result: 1 })), 7]);
    await plain.next((m) => m.error?.code === -32600);

    bystander.send(request(1, 1, "echo", { n: 42 }));
    expect((await bystander.next((m) => m.id === 1)).result).toBe(42);
  });
});

// ---- the svcgen client's side, seen by a raw `ws` server -------------------------------

/**
 * A raw server that opens sessions (accepting "batch" when `batch`) and answers echo calls:
 * one batch frame of answers per frame of calls, or one frame each; `answersFor` may
 * rewrite the answers (duplicates, gaps) before they go.
 */
async function rawServer(batch: boolean, answersFor: (answers: any[]) => any[] = (a) => a) {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  cleanups.push(() => new Promise((resolve) => wss.close(resolve)));
  const frames: string[] = [];
  const handshakes: any[] = [];
  let seq = 0;
  const closes: number[] = [];
  wss.on("connection", (socket) => {
    socket.on("close", (code) => closes.push(code));
    cleanups.push(async () => socket.terminate());
    socket.on("message", (data) => {
      const text = data.toString();
      const value = JSON.parse(text);
      if (value.method === "$/session") {
        handshakes.push(value.params);
        const features = batch && value.params.features.includes("batch") ? ["batch"] : [];
        socket.send(
          JSON.stringify({
            jsonrpc: "2.0",
            id: value.id,
            result: { session: "a.b", resumed: false, ack: 0, windowMs: 60_000, features },
          }),
        );
        return;
      }
      frames.push(text);
      const calls = [value].flat().filter((m: any) => m.method === "batch.Pusher.echo");
      if (calls.length === 0) return;
      const answers = answersFor(
        calls.map((m: any) => ({ jsonrpc: "2.0", seq: ++seq, id: m.id, result: m.params.n })),
      );
      // Answers of a coalesced frame come back as one batch of responses.
      socket.send(JSON.stringify(batch ? answers : answers[0]));
      if (!batch) for (const answer of answers.slice(1)) socket.send(JSON.stringify(answer));
    });
  });
  const { port } = wss.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}/ws`, frames, handshakes, closes };
}

describe("the svcgen client coalesces when the server accepted it", () => {
  test("50 calls in one turn leave as two frames (32 + 18); a batch of 50 responses settles them all", async () => {
    const peer = await rawServer(true);
    const client = await connectWebSocket(peer.url, { heartbeatMs: 0 });
    cleanups.push(() => client.close());
    expect(peer.handshakes[0].features).toEqual(["batch"]);
    const calls = Array.from({ length: 50 }, (_, n) =>
      client.call<number>(PusherDescriptor, "echo", [n]),
    );
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 50 }, (_, n) => n));
    const callFrames = peer.frames.filter((frame) => frame.includes("batch.Pusher.echo"));
    const batches = callFrames.map((frame) => JSON.parse(frame));
    expect(batches.map((batch) => batch.length)).toEqual([
      firstFrameMessages,
      50 - firstFrameMessages,
    ]);
    expect(batches.flat().map((m: any) => m.seq)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
  });

  test("inside a batch of answers, a duplicate is dropped and a jump closes with 1002", async () => {
    let round = 0;
    const peer = await rawServer(true, (answers) => {
      round++;
      // First batch: each answer twice (a replay's duplicates); second: a seq jumps by one.
      if (round === 1) return answers.flatMap((answer) => [answer, answer]);
      return answers.map((answer) => ({ ...answer, seq: answer.seq + 1 }));
    });
    const client = await connectWebSocket(peer.url, {
      heartbeatMs: 0,
      reconnect: { initialDelayMs: 5_000 },
      timeoutMs: 2_000,
    });
    cleanups.push(() => client.close());
    const closed = new Promise((resolve) => client.on("close", resolve));
    const first = Array.from({ length: 10 }, (_, n) => client.call(PusherDescriptor, "echo", [n]));
    expect(await Promise.all(first)).toEqual(Array.from({ length: 10 }, (_, n) => n));
    // (Pending across the close; the session would resume it. Closing the client rejects it.)
    client.call(PusherDescriptor, "echo", [99]).catch(() => undefined);
    await closed;
    expect(peer.closes).toEqual([1002]);
  });

  test("batch: false asks for nothing and sends one message per frame", async () => {
    const peer = await rawServer(true);
    const client = await connectWebSocket(peer.url, { heartbeatMs: 0, batch: false });
    cleanups.push(() => client.close());
    expect(peer.handshakes[0].features).toEqual([]);
    await Promise.all(
      Array.from({ length: 20 }, (_, n) => client.call(PusherDescriptor, "echo", [n])),
    );
    expect(peer.frames.filter((frame) => frame.startsWith("["))).toHaveLength(0);
    expect(peer.frames.filter((frame) => frame.includes("batch.Pusher.echo"))).toHaveLength(20);
  });

  test("a server that does not accept batch gets one message per frame", async () => {
    const peer = await rawServer(false);
    const client = await connectWebSocket(peer.url, { heartbeatMs: 0 });
    cleanups.push(() => client.close());
    expect(peer.handshakes[0].features).toEqual(["batch"]);
    await Promise.all(
      Array.from({ length: 20 }, (_, n) => client.call(PusherDescriptor, "echo", [n])),
    );
    expect(peer.frames.filter((frame) => frame.startsWith("["))).toHaveLength(0);
  });

  test("end to end: a burst of pushes and pipelined calls, every item once, in order", async () => {
    const { url, rpc } = await server();
    const client = await connectWebSocket(url, { heartbeatMs: 0 });
    cleanups.push(() => client.close());
    await pipelinedCallsAndPushesArriveOnce(client, rpc);
  });
});

describe("coalesced frames under svc.msgpack", () => {
  test("a burst of 250 pushes and the answer leave as binary arrays of maps of 32, then 100, seq exact", async () => {
    const { url } = await server();
    const client = new RawClient(url, {}, ["svc.msgpack"]);
    cleanups.push(() => client.close());
    await client.opened;
    expect(client.socket.protocol).toBe("svc.msgpack");
    expect((await open(client, ["batch"])).features).toEqual(["batch"]);
    client.send(request(1, 1, "subscribe", { sink: "s1" }));
    await client.next((m) => m.id === 1);
    const before = client.values.length;
    client.send(request(2, 2, "push", { count: 250, size: 10 }));
    await client.next((m) => m.id === 2);
    await until(() => client.messages.filter((m) => m.method === "$/callback").length === 250);
    const frames = client.values.slice(before);
    expect(client.frames).toEqual([]); // no text frame at all
    expect(frames.length).toBe(framesOfBurst(251));
    expect(frames.some((frame) => Array.isArray(frame) && frame.length > 1)).toBe(true);
    const seqs = frames.flat().map((m: any) => m.seq);
    expect(seqs).toEqual(Array.from({ length: 251 }, (_, i) => i + 2));
  });

  test("end to end with the client on MessagePack: pipelined calls and pushes, each once, in order", async () => {
    const { url, rpc } = await server();
    const client = await connectWebSocket(url, { heartbeatMs: 0, encoding: "msgpack" });
    cleanups.push(() => client.close());
    expect(client.encoding).toBe("svc.msgpack");
    await pipelinedCallsAndPushesArriveOnce(client, rpc);
  });
});

/** 200 pipelined calls answered in order, then 1,000 pushes each arriving once, in order. */
async function pipelinedCallsAndPushesArriveOnce(
  client: Awaited<ReturnType<typeof connectWebSocket>>,
  rpc: Awaited<ReturnType<typeof server>>["rpc"],
): Promise<void> {
  const received: number[] = [];
  await client.call(PusherDescriptor, "subscribe", [{ item: (i: number) => received.push(i) }]);
  const answers = await Promise.all(
    Array.from({ length: 200 }, (_, n) => client.call<number>(PusherDescriptor, "echo", [n])),
  );
  expect(answers).toEqual(Array.from({ length: 200 }, (_, n) => n));
  await client.call(PusherDescriptor, "push", [1000, 20]);
  await until(() => received.length === 1000);
  expect(received).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  expect(rpc.webSocketStats.sessions).toBe(1);
}
