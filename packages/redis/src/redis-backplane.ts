/**
 * The Backplane of @svcgen/runtime on Redis (node-redis). Three connections: one for
 * commands and scripts, one subscribed to the groups' channels, one blocked reading this
 * node's inbox stream. Heartbeats stamp a ZSET; directed payloads go to the target's inbox
 * STREAM (read from the last id after a reconnect, so none is lost); group publications go
 * out through pub/sub with an offset and epoch (group-position.ts). See docs/scale-out.md.
 */
import { BackplaneError, type Backplane, type BackplaneEvents } from "@svcgen/runtime";
import { createClient, type RedisClientType } from "redis";
import { GroupPosition, readPublication } from "./group-position.js";
import { Keys } from "./keys.js";
import { heartbeatScript, memberCountScript, publishScript, sendScript } from "./scripts.js";

export interface RedisBackplaneOptions {
  /** Default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /** Namespace of every key and channel: one cluster per prefix. Default `svcgen`. */
  readonly prefix?: string;
  /** How often this node stamps its heartbeat and reads the others'. Default 1 000 ms. */
  readonly heartbeatMs?: number;
  /** A node whose heartbeat is older than this is lost. Default 3 000 ms. */
  readonly nodeTimeoutMs?: number;
  /** Approximate bound of each node's inbox stream (XADD MAXLEN ~). Default 10 000. */
  readonly inboxMaxLength?: number;
  /** Longest wait between reconnect attempts. Default 1 000 ms. */
  readonly reconnectMaxDelayMs?: number;
  /**
   * How long joining may try to reach Redis before `start()` (and so `listen()`) rejects.
   * Once joined, the backplane reconnects for as long as it takes. Default 10 000 ms.
   */
  readonly connectTimeoutMs?: number;
}

type Client = RedisClientType<any, any, any, any, any>;

/** How long a blocked inbox read waits before it reads again (it is woken by any XADD). */
const inboxBlockMs = 5_000;
const inboxBatch = 100;

interface GroupState {
  readonly position: GroupPosition;
  /** A publication of ours failed: the others must hear of a gap once Redis is back. */
  owesGap: boolean;
  /** The channel subscription is registered with the client (it renews it on reconnect). */
  subscribed: boolean;
  /** The sync marker we wait to see come back, and its retry timer. */
  syncToken: string | undefined;
  syncTimer: ReturnType<typeof setTimeout> | undefined;
}

export function redisBackplane(options: RedisBackplaneOptions = {}): Backplane {
  return new RedisBackplane(options);
}

export class RedisBackplane implements Backplane {
  readonly #url: string;
  readonly #keys: Keys;
  readonly #heartbeatMs: number;
  readonly #timeoutMs: number;
  readonly #inboxMaxLength: number;
  readonly #reconnectMaxDelayMs: number;
  readonly #connectTimeoutMs: number;
  #node = "";
  #events: BackplaneEvents | undefined;
  #commands: Client | undefined;
  #subscriber: Client | undefined;
  #reader: Client | undefined;
  #connected = false;
  /** Set once start() connected: later "ready" events are reconnections. */
  #started = false;
  #closed = false;
  /** Until then, nodes missing from the heartbeat ZSET are not taken for lost. */
  #graceUntil = 0;
  #heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  /** Nodes believed alive: reported lost once their heartbeat is missing. */
  readonly #known = new Set<string>();
  readonly #groups = new Map<string, GroupState>();
  readonly #counts = new Map<string, number>();
  readonly #dirtyCounts = new Set<string>();
  #countFlush: ReturnType<typeof setImmediate> | undefined;
  #epochSeq = 0;
  #syncSeq = 0;

  constructor(options: RedisBackplaneOptions = {}) {
    this.#url = options.url ?? "redis://127.0.0.1:6379";
    this.#keys = new Keys(options.prefix ?? "svcgen");
    this.#heartbeatMs = options.heartbeatMs ?? 1_000;
    this.#timeoutMs = options.nodeTimeoutMs ?? 3_000;
    this.#inboxMaxLength = options.inboxMaxLength ?? 10_000;
    this.#reconnectMaxDelayMs = options.reconnectMaxDelayMs ?? 1_000;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    if (!(this.#timeoutMs > this.#heartbeatMs)) {
      throw new RangeError("redisBackplane: nodeTimeoutMs must exceed heartbeatMs");
    }
  }

  async start(nodeId: string, events: BackplaneEvents): Promise<void> {
    this.#node = nodeId;
    this.#events = events;
    const maxDelay = this.#reconnectMaxDelayMs;
    const giveUpAt = Date.now() + this.#connectTimeoutMs;
    const reconnectStrategy = (retries: number, cause: Error): number | Error => {
      if (this.#closed) return new Error("backplane closed");
      // Joining gives up after connectTimeoutMs; a joined node retries for ever.
      if (!this.#started && Date.now() >= giveUpAt) {
        return new Error(`could not reach Redis at ${this.#url}: ${cause.message}`);
      }
      return Math.min(25 * 2 ** retries, maxDelay);
    };
    const commands = createClient({
      url: this.#url,
      // Fail at once while disconnected: a call must not wait for Redis in a queue.
      disableOfflineQueue: true,
      socket: { reconnectStrategy, connectTimeout: Math.min(this.#connectTimeoutMs, 5_000) },
    }) as Client;
    this.#commands = commands;
    this.#subscriber = commands.duplicate() as Client;
    this.#reader = commands.duplicate() as Client;
    commands.on("error", (error: Error) => this.#lost(error));
    commands.on("ready", () => this.#ready());
    // Their failures show on the command connection too; each reconnects by itself.
    this.#subscriber.on("error", () => undefined);
    this.#subscriber.on("ready", () => this.#resync());
    this.#reader.on("error", () => undefined);
    try {
      await Promise.all([commands.connect(), this.#subscriber.connect(), this.#reader.connect()]);
    } catch (error) {
      this.#destroyClients();
      throw error;
    }
    if (this.#closed) throw new Error("backplane closed while joining");
    this.#connected = true;
    this.#started = true;
    await this.#heartbeat();
    void this.#readInbox();
  }

  // ---- directed traffic ------------------------------------------------------------

  async send(node: string, payload: string): Promise<void> {
    const commands = this.#commands;
    if (commands === undefined || !this.#connected || this.#closed) {
      throw new BackplaneError("backplane", "not connected to Redis");
    }
    let appended: unknown;
    try {
      appended = await commands.sendCommand([
        "EVAL",
        sendScript,
        "2",
        this.#keys.nodes,
        this.#keys.inbox(node),
        node,
        String(this.#timeoutMs),
        String(this.#inboxMaxLength),
        payload,
        Date.now() < this.#graceUntil ? "1" : "0",
      ]);
    } catch (error) {
      throw new BackplaneError("backplane", (error as Error).message);
    }
    if (Number(appended) !== 1) throw new BackplaneError("node-lost", `node ${node} is lost`);
    this.#known.add(node);
  }

  async #readInbox(): Promise<void> {
    const inbox = this.#keys.inbox(this.#node);
    // A new node id has an empty inbox: read from its start, then from the last id seen.
    let lastId = "0-0";
    while (!this.#closed) {
      const reader = this.#reader;
      if (reader === undefined) return;
      let reply: unknown;
      try {
        reply = await reader.sendCommand([
          "XREAD",
          "COUNT",
          String(inboxBatch),
          "BLOCK",
          String(inboxBlockMs),
          "STREAMS",
          inbox,
          lastId,
        ]);
      } catch {
        if (this.#closed) return;
        // The reader reconnects by itself; try again shortly, from the same id.
        await delay(Math.min(100, this.#reconnectMaxDelayMs));
        continue;
      }
      for (const [id, payload] of streamEntries(reply)) {
        lastId = id;
        this.#events?.message(payload);
      }
    }
  }

  // ---- groups ----------------------------------------------------------------------

  subscribe(group: string): void {
    if (this.#groups.has(group) || this.#closed) return;
    const state: GroupState = {
      position: new GroupPosition(),
      owesGap: false,
      subscribed: false,
      syncToken: undefined,
      syncTimer: undefined,
    };
    this.#groups.set(group, state);
    this.#subscribeChannel(group, state);
  }

  #subscribeChannel(group: string, state: GroupState): void {
    const subscriber = this.#subscriber;
    if (subscriber === undefined || !subscriber.isReady) return; // done on "ready"
    state.subscribed = true;
    subscriber
      .subscribe(this.#keys.groupChannel(group), (message: string) =>
        this.#onPublication(group, message),
      )
      .then(
        () => this.#sync(group),
        // Redis went down meanwhile: try again once the subscriber is back.
        () => (state.subscribed = false),
      );
  }

  unsubscribe(group: string): void {
    const state = this.#groups.get(group);
    if (state === undefined) return;
    clearTimeout(state.syncTimer);
    this.#groups.delete(group);
    this.#subscriber?.unsubscribe(this.#keys.groupChannel(group)).catch(() => undefined);
  }

  publish(group: string, payload: string): void {
    this.#publish(group, "b", payload).catch(() => {
      const state = this.#groups.get(group);
      if (state !== undefined) state.owesGap = true;
    });
  }

  #publish(group: string, kind: "b" | "g" | "s", payload: string): Promise<unknown> {
    const commands = this.#commands;
    if (commands === undefined || !this.#connected) {
      return Promise.reject(new Error("not connected to Redis"));
    }
    return commands.sendCommand([
      "EVAL",
      publishScript,
      "1",
      this.#keys.groupMeta(group),
      this.#keys.groupChannel(group),
      `${this.#node}.${Date.now().toString(36)}.${++this.#epochSeq}`,
      kind,
      this.#node,
      payload,
    ]);
  }

  #onPublication(group: string, message: string): void {
    const state = this.#groups.get(group);
    const publication = readPublication(message);
    if (state === undefined || publication === undefined) return;
    const gap = state.position.advance(publication);
    if (publication.kind === "s" && publication.payload === state.syncToken) {
      state.syncToken = undefined;
      clearTimeout(state.syncTimer);
    }
    const events = this.#events;
    if (events === undefined) return;
    if (gap || (publication.kind === "g" && publication.origin !== this.#node)) {
      events.groupGap(group);
    }
    if (publication.kind === "b" && publication.origin !== this.#node) {
      events.published(group, publication.payload);
    }
  }

  /**
   * Publishes a marker with the group's current offset and waits to see it come back:
   * then every publication before it has been seen, or the position reports the gap.
   * Retried until it comes back (the subscription may not be active yet).
   */
  #sync(group: string): void {
    const state = this.#groups.get(group);
    if (state === undefined || this.#closed) return;
    const token = `${this.#node}.${++this.#syncSeq}`;
    state.syncToken = token;
    clearTimeout(state.syncTimer);
    state.syncTimer = setTimeout(() => {
      if (state.syncToken === token) this.#sync(group);
    }, this.#heartbeatMs);
    state.syncTimer.unref?.();
    this.#publish(group, "s", token).catch(() => undefined);
  }

  /** The subscriber connection is (re)established: every group checks for a gap. */
  #resync(): void {
    for (const [group, state] of this.#groups) {
      if (state.subscribed) this.#sync(group);
      else this.#subscribeChannel(group, state);
    }
  }

  setMemberCount(group: string, count: number): void {
    this.#counts.set(group, count);
    this.#dirtyCounts.add(group);
    this.#countFlush ??= setImmediate(() => this.#flushCounts());
  }

  #flushCounts(): void {
    clearImmediate(this.#countFlush);
    this.#countFlush = undefined;
    const commands = this.#commands;
    if (commands === undefined || !this.#connected) return; // written again once back
    for (const group of this.#dirtyCounts) {
      const count = this.#counts.get(group) ?? 0;
      const key = this.#keys.groupCounts(group);
      const written =
        count > 0
          ? commands.sendCommand(["HSET", key, this.#node, String(count)])
          : commands.sendCommand(["HDEL", key, this.#node]);
      written.catch(() => this.#dirtyCounts.add(group));
    }
    this.#dirtyCounts.clear();
  }

  async memberCount(group: string): Promise<number> {
    const commands = this.#commands;
    if (commands === undefined || !this.#connected) {
      throw new BackplaneError("backplane", "not connected to Redis");
    }
    // Our own pending count goes first on the same connection, so we read it back.
    if (this.#dirtyCounts.size > 0) this.#flushCounts();
    try {
      const total = await commands.sendCommand([
        "EVAL",
        memberCountScript,
        "2",
        this.#keys.groupCounts(group),
        this.#keys.nodes,
        String(this.#timeoutMs),
      ]);
      return Number(total);
    } catch (error) {
      throw new BackplaneError("backplane", (error as Error).message);
    }
  }

  // ---- heartbeats and connection state ---------------------------------------------

  async #heartbeat(): Promise<void> {
    clearTimeout(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
    if (this.#closed) return;
    try {
      const live = await this.#commands!.sendCommand([
        "EVAL",
        heartbeatScript,
        "2",
        this.#keys.nodes,
        this.#keys.inbox(this.#node),
        this.#node,
        String(this.#timeoutMs),
        String(this.#timeoutMs * 10),
      ]);
      this.#noteLive(Array.isArray(live) ? live.map(String) : []);
    } catch {
      // Redis is down: the next beat after reconnecting stamps us again.
    }
    if (this.#closed) return;
    this.#heartbeatTimer = setTimeout(() => void this.#heartbeat(), this.#heartbeatMs);
    this.#heartbeatTimer.unref?.();
  }

  #noteLive(live: readonly string[]): void {
    const alive = new Set(live);
    if (Date.now() >= this.#graceUntil) {
      const lost = [...this.#known].filter((node) => !alive.has(node));
      for (const node of lost) this.#known.delete(node);
      if (lost.length > 0) this.#events?.nodesLost(lost);
    }
    for (const node of alive) if (node !== this.#node) this.#known.add(node);
  }

  #lost(error: Error): void {
    if (!this.#connected || this.#closed) return;
    this.#connected = false;
    this.#events?.down(error);
  }

  #ready(): void {
    if (!this.#started || this.#connected || this.#closed || this.#events === undefined) return;
    this.#connected = true;
    // The others may not have stamped themselves yet (or Redis lost the ZSET).
    this.#graceUntil = Date.now() + this.#timeoutMs;
    this.#events.up();
    void this.#heartbeat();
    for (const group of this.#counts.keys()) this.#dirtyCounts.add(group);
    this.#flushCounts();
    for (const [group, state] of this.#groups) {
      if (!state.owesGap) continue;
      state.owesGap = false;
      this.#publish(group, "g", "").catch(() => (state.owesGap = true));
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    const commands = this.#commands;
    // Leave visibly: the others see this node lost at their next heartbeat. Bounded: a
    // Redis that does not answer must not hold up the server's close.
    if (commands !== undefined && this.#connected) {
      const leave = Promise.allSettled([
        commands.sendCommand(["ZREM", this.#keys.nodes, this.#node]),
        commands.sendCommand(["DEL", this.#keys.inbox(this.#node)]),
        ...[...this.#counts.keys()].map((group) =>
          commands.sendCommand(["HDEL", this.#keys.groupCounts(group), this.#node]),
        ),
      ]);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, 1_000)));
      await Promise.race([leave, bound]);
      clearTimeout(timer);
    }
    this.#closed = true;
    this.#connected = false;
    clearTimeout(this.#heartbeatTimer);
    clearImmediate(this.#countFlush);
    for (const state of this.#groups.values()) clearTimeout(state.syncTimer);
    this.#destroyClients();
  }

  #destroyClients(): void {
    for (const client of [this.#reader, this.#subscriber, this.#commands]) {
      try {
        client?.destroy();
      } catch {
        // Never connected, or closed already.
      }
    }
  }
}

/** The `[id, payload]` entries of an XREAD reply (RESP3 map or RESP2 array). */
function* streamEntries(reply: unknown): Generator<[string, string]> {
  if (reply === null || typeof reply !== "object") return;
  const streams: unknown[] = Array.isArray(reply)
    ? reply.map((stream) => (stream as unknown[])[1])
    : reply instanceof Map
      ? [...reply.values()]
      : Object.values(reply);
  for (const entries of streams) {
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      const [id, fields] = entry as [unknown, unknown];
      if (typeof id !== "string" && !Buffer.isBuffer(id)) continue;
      const list = Array.isArray(fields) ? fields : [];
      const at = list.findIndex((field, i) => i % 2 === 0 && String(field) === "p");
      if (at >= 0) yield [String(id), String(list[at + 1])];
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
