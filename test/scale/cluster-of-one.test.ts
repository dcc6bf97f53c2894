/**
 * Without a backplane a server is a cluster of one: named groups, refs and
 * server.callback() work inside the process, and what needs other nodes says so.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { RpcServer, type CallbackRef } from "@svcgen/runtime";
import { redisBackplane } from "@svcgen/redis";
import { freePort } from "../support/redis-server.js";
import { Feed, ListenerDescriptor, type Listener } from "./feed.js";
import { ListenerClient } from "./listener-client.js";

describe("a server without a backplane", () => {
  let server: RpcServer;
  let wsUrl: string;
  const clients: ListenerClient[] = [];

  async function client(): Promise<ListenerClient> {
    const opened = await ListenerClient.open(wsUrl);
    clients.push(opened);
    return opened;
  }

  beforeAll(async () => {
    server = new RpcServer({ logger: false, callbackTimeoutMs: 2_000 });
    server.register(new Feed(server));
    const { url } = await server.listen();
    wsUrl = `${url.replace(/^http/, "ws")}/ws`;
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
  });

  it("a named group is the same object by name; clusterSize() is its size", async () => {
    const [one, two] = await Promise.all([client(), client()]);
    await Promise.all([one.join("solo"), two.join("solo")]);
    const group = server.group("solo", ListenerDescriptor);
    expect(server.group("solo", ListenerDescriptor)).toBe(group);
    expect(group.size).toBe(2);
    expect(await group.clusterSize()).toBe(2);
    expect(group.broadcast.item(7)).toBe(2);
    expect(await one.waitForItems(1)).toEqual([7]);
    expect(await two.waitForItems(1)).toEqual([7]);
  });

  it("refuses a group name of another callback type, and a proxy that is not held here", async () => {
    const other = { ...ListenerDescriptor, name: "scale.Other" } as typeof ListenerDescriptor;
    expect(() => server.group("solo", other)).toThrow(/holds scale.Listener callbacks/);
    const holder = await client();
    const ref = JSON.parse(await holder.hold()) as CallbackRef<Listener>;
    const elsewhere = server.callback({ ...ref, node: "0000000000000000" });
    expect(() => server.group("solo", ListenerDescriptor).add(elsewhere)).toThrow(TypeError);
  });

  it("server.callback(ref) is the proxy; after the client left, calls say released", async () => {
    const holder = await client();
    const ref = JSON.parse(await holder.hold()) as CallbackRef<Listener>;
    const proxy = server.callback(ref);
    expect(await proxy.answer("here")).toBe("answer to here");
    await holder.close();
    await expect(server.callback(ref).answer("gone")).rejects.toMatchObject({ code: -32001 });
    expect(await server.callback(ref).item(1)).toBe(false);
  });

  it('a ref to another node: awaited calls fail -32007 "backplane", oneway ones resolve false', async () => {
    const holder = await client();
    const ref = JSON.parse(await holder.hold()) as CallbackRef<Listener>;
    const remote = server.callback({ ...ref, node: "0000000000000000" });
    await expect(remote.answer("q")).rejects.toMatchObject({
      code: -32007,
      data: { reason: "backplane" },
    });
    expect(await remote.item(1)).toBe(false);
  });

  it("refuses what is not a callback reference", () => {
    for (const bad of [
      null,
      "ref",
      { node: "n" },
      { node: "a b", connection: "c", callback: "x", type: "t" },
    ]) {
      expect(() => server.callback(bad as never)).toThrow(TypeError);
    }
    expect(() =>
      server.callback({ node: "n", connection: "c", callback: "x", type: "nobody.Takes" }),
    ).toThrow(/no registered service takes nobody.Takes/);
  });
});

describe("joining a cluster whose Redis cannot be reached", () => {
  it("listen() rejects after connectTimeoutMs, and close() still resolves", async () => {
    const port = await freePort(); // nothing listens there
    const server = new RpcServer({
      logger: false,
      backplane: redisBackplane({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300 }),
    });
    await expect(server.listen()).rejects.toThrow(/could not reach Redis/);
    await server.close();
  });
});
