/**
 * The soak: many WebSocket clients join a room with a callback, the server broadcasts while
 * a quarter of the clients are killed abruptly (TCP cut, no close frame), then everyone
 * leaves. Checks that every killed client's callback is released exactly once with
 * "disconnected", every live client got every message in order, and that afterwards the
 * server holds no connection, callback or timer and the heap is back near its start.
 */
import { createServer } from "node:http";
import WebSocket from "ws";
import { defineChat } from "./chat-service.mjs";

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const turn = () => new Promise((resolve) => setImmediate(resolve));

async function until(predicate, limitMs) {
  const deadline = Date.now() + limitMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) return false;
    await pause(10);
  }
  return true;
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

async function collect() {
  if (typeof globalThis.gc !== "function") return undefined;
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await pause(20);
  }
  return process.memoryUsage().heapUsed;
}

/** A `ws` WebSocket that remembers its instances, so the soak can cut them. */
function trackingWebSocket(sockets) {
  return class TrackedWebSocket extends WebSocket {
    constructor(...args) {
      super(...args);
      sockets.push(this);
    }
  };
}

/**
 * One pass: server, clients, broadcasts with kills, departures. Returns the figures; the
 * caller decides what a violation is (see `violations`).
 * @param {typeof import("@svcgen/runtime")} runtime
 */
async function pass(runtime, { clients, killFraction, messages, connectBatch }) {
  const { RpcServer, connectWebSocket } = runtime;
  const { Room, RoomDescriptor } = defineChat(runtime);
  const room = new Room();
  const server = new RpcServer({ logger: false });
  server.register(room);
  const http = createServer();
  server.attach(http);
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  const url = `ws://127.0.0.1:${http.address().port}/ws`;
  const serverConnections = () =>
    new Promise((resolve, reject) =>
      http.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );

  // ---- everyone joins -------------------------------------------------------------------
  const members = [];
  for (let start = 0; start < clients; start += connectBatch) {
    const batch = [];
    for (let i = start; i < Math.min(clients, start + connectBatch); i++) {
      batch.push(
        (async () => {
          const sockets = [];
          const connection = await connectWebSocket(url, {
            reconnect: false,
            heartbeatMs: 0,
            WebSocket: trackingWebSocket(sockets),
          });
          const member = { name: `m${i}`, received: [], killed: false, connection, sockets };
          await connection.call(RoomDescriptor, "join", [
            member.name,
            { message: (seq) => void member.received.push(seq) },
          ]);
          members.push(member);
        })(),
      );
    }
    await Promise.all(batch);
  }
  const joined = room.group.size;

  // ---- broadcasts, with a quarter of the clients cut while they run ------------------------
  const toKill = members
    .map((member, index) => ({ member, key: (index * 2654435761) % 4294967296 }))
    .sort((a, b) => a.key - b.key)
    .slice(0, Math.round(clients * killFraction))
    .map(({ member }) => member);
  const killAt = (seq) => Math.floor((seq * toKill.length) / messages);
  let killed = 0;
  let sent = 0;
  for (let seq = 0; seq < messages; seq++) {
    room.group.broadcast.message(seq, `message ${seq}`);
    sent++;
    // Cut the ones scheduled before this message, with no close frame.
    while (killed < killAt(seq + 1) && killed < toKill.length) {
      const victim = toKill[killed++];
      victim.killed = true;
      for (const socket of victim.sockets) socket.terminate();
    }
    await turn();
  }
  while (killed < toKill.length) {
    const victim = toKill[killed++];
    victim.killed = true;
    for (const socket of victim.sockets) socket.terminate();
  }

  // ---- what the killed and the live ones saw ------------------------------------------------
  const live = members.filter((m) => !m.killed);
  const victims = members.filter((m) => m.killed);
  await until(() => victims.every((m) => room.releases.has(m.name)), 30_000);
  await until(() => live.every((m) => m.received.length >= messages), 30_000);
  let lost = 0;
  let outOfOrder = 0;
  for (const member of live) {
    lost += messages - new Set(member.received).size;
    if (member.received.some((seq, index) => seq !== index)) outOfOrder++;
  }
  const killedReleases = victims.map((m) => room.releases.get(m.name) ?? []);
  const liveReleasedEarly = live.filter((m) => room.releases.has(m.name)).length;

  // ---- everyone leaves ----------------------------------------------------------------------
  await Promise.all(live.map((m) => m.connection.close()));
  await Promise.all(victims.map((m) => m.connection.close()));
  await until(async () => room.live.size === 0 && (await serverConnections()) === 0, 30_000);
  await pause(50); // a second release, if the server were to send one, would come now
  const allReleases = [...room.releases.values()];
  const figures = {
    clients,
    joined,
    killed: victims.length,
    messages: sent,
    killedReleases: killedReleases.filter((r) => r.length > 0).length,
    killedReleasedOnceDisconnected: killedReleases.filter(
      (r) => r.length === 1 && r[0] === "disconnected",
    ).length,
    liveReleasedEarly,
    releasesSeen: allReleases.reduce((n, r) => n + r.length, 0),
    releasedMoreThanOnce: allReleases.filter((r) => r.length > 1).length,
    lost,
    outOfOrder,
    groupSizeAfter: room.group.size,
    callbacksHeldAfter: room.live.size,
    connectionsAfter: await serverConnections(),
  };
  members.length = 0;
  await server.close();
  await new Promise((resolve) => http.close(resolve));
  return figures;
}

/** Every broken promise in `figures`, as sentences (empty: all good). */
export function violations(figures) {
  const problems = [];
  if (figures.joined !== figures.clients)
    problems.push(`${figures.joined} of ${figures.clients} joined`);
  if (figures.killedReleasedOnceDisconnected !== figures.killed) {
    problems.push(
      `${figures.killedReleasedOnceDisconnected} of ${figures.killed} killed clients released exactly once with "disconnected"`,
    );
  }
  if (figures.liveReleasedEarly > 0)
    problems.push(`${figures.liveReleasedEarly} live clients released early`);
  if (figures.releasedMoreThanOnce > 0)
    problems.push(`${figures.releasedMoreThanOnce} callbacks released more than once`);
  if (figures.releasesSeen !== figures.clients) {
    problems.push(`${figures.releasesSeen} releases seen for ${figures.clients} callbacks`);
  }
  if (figures.lost > 0) problems.push(`${figures.lost} messages lost`);
  if (figures.outOfOrder > 0)
    problems.push(`${figures.outOfOrder} clients got messages out of order`);
  if (figures.groupSizeAfter + figures.callbacksHeldAfter > 0)
    problems.push("callbacks still held after all left");
  if (figures.connectionsAfter > 0)
    problems.push(`${figures.connectionsAfter} connections still open after all left`);
  if (figures.timersAfter > figures.timersBefore) {
    problems.push(`${figures.timersAfter - figures.timersBefore} timers left behind`);
  }
  if (figures.heapBefore !== undefined && figures.heapAfter > figures.heapBefore * 1.1) {
    problems.push(`heap grew from ${figures.heapBefore} to ${figures.heapAfter} bytes (over 10 %)`);
  }
  return problems;
}

/**
 * Runs a warm-up pass (loads and compiles every code path), measures, runs the soak,
 * measures again. `heapBefore`/`heapAfter` are absent unless run with `--expose-gc`.
 * @param {typeof import("@svcgen/runtime")} runtime
 */
export async function runSoak(runtime, options = {}) {
  const settings = {
    clients: options.clients ?? 1000,
    killFraction: options.killFraction ?? 0.25,
    messages: options.messages ?? 50,
    connectBatch: options.connectBatch ?? 50,
  };
  // A second pass of the same size, measured: a leak shows as growth over the first.
  // The warm-up is as big as the soak: V8 keeps compiled code and some tables sized by the
  // largest load it has seen, which is growth once, not a leak; a leak grows on every pass.
  await pass(runtime, { ...settings, clients: options.warmupClients ?? settings.clients });
  const timersBefore = timers();
  const heapBefore = await collect();
  const figures = await pass(runtime, settings);
  const heapAfter = await collect();
  await until(() => timers() <= timersBefore, 5_000);
  return { ...figures, timersBefore, timersAfter: timers(), heapBefore, heapAfter };
}
