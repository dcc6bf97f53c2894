/** The chat room of idl/chat.svc: members are called back, leave, and drop off. */
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { RpcError, connectWebSocket, type WebSocketConnection } from "@svcgen/runtime";
import { startServer, until, type Running } from "./harness.js";
import { ChatRoomDescriptor, type ChatMember, type Message } from "./services.js";

class Member implements ChatMember {
  readonly log: string[] = [];
  message(message: Message): void {
    this.log.push(`message:${message.from}:${message.text}`);
  }
  joined(name: string): void {
    this.log.push(`joined:${name}`);
  }
  left(name: string, reason: string): void {
    this.log.push(`left:${name}:${reason}`);
  }
}

let running: Running;
const connections: WebSocketConnection[] = [];

beforeEach(async () => {
  running = await startServer();
});

afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.close()));
  await running.close();
});

async function connect(): Promise<WebSocketConnection> {
  const connection = await connectWebSocket(running.wsUrl, { reconnect: false });
  connections.push(connection);
  return connection;
}

function call<R>(connection: WebSocketConnection, method: string, ...args: unknown[]) {
  return connection.call<R>(ChatRoomDescriptor, method, args);
}

describe("chat over WebSocket", () => {
  test("three members join, hear each other, one leaves, one drops off", async () => {
    const [a, b, c] = [await connect(), await connect(), await connect()];
    const [alice, bob, carol] = [new Member(), new Member(), new Member()];

    expect(await call(a, "join", "alice", alice)).toEqual([]);
    expect(await call(b, "join", "bob", bob)).toEqual(["alice"]);
    expect(await call(c, "join", "carol", carol)).toEqual(["alice", "bob"]);

    await call(a, "send", "hello");
    const hello = "message:alice:hello";
    await until(() => [alice, bob, carol].every((m) => m.log.includes(hello)));
    expect(alice.log).toEqual(["joined:bob", "joined:carol", hello]);

    // bob leaves: the server releases his callback itself ("left"), the others are told.
    await call(b, "leave");
    await until(() => alice.log.includes("left:bob:left") && carol.log.includes("left:bob:left"));
    expect(running.room.releases).toEqual(["bob:left"]);

    // carol's connection goes away: her callback is released with "disconnected".
    await c.close();
    await until(() => alice.log.includes("left:carol:disconnected"));
    expect(running.room.releases).toEqual(["bob:left", "carol:disconnected"]);
    expect(await call(a, "members")).toEqual(["alice"]);
    expect(running.room.group.size).toBe(1);
  });

  test("a client releasing its callback is seen by the server as 'released'", async () => {
    const [a, b] = [await connect(), await connect()];
    const [alice, bob] = [new Member(), new Member()];
    await call(a, "join", "alice", alice);
    await call(b, "join", "bob", bob);
    b.release(bob);
    await until(() => running.room.releases.length === 1);
    expect(running.room.releases).toEqual(["bob:released"]);
    await until(() => alice.log.includes("left:bob:released"));
  });

  test("a declared error reaches the client as its class", async () => {
    const [a, b] = [await connect(), await connect()];
    await call(a, "join", "alice", new Member());
    const failure = await call(b, "join", "alice", new Member()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RpcError);
    expect((failure as RpcError).code).toBe(-32000);
    expect((failure as RpcError).descriptor?.name).toBe("chat.NameTaken");
  });

  test("a broadcast reaches every one of many members, each frame once", async () => {
    const connection = await connect();
    const members = Array.from({ length: 200 }, () => new Member());
    // One connection, 200 callback objects: each becomes its own member of the group.
    // Joined in two waves of 100: below the limit of calls in flight per connection.
    for (const wave of [members.slice(0, 100), members.slice(100)]) {
      await Promise.all(wave.map((m) => call(connection, "join", `m${members.indexOf(m)}`, m)));
    }
    expect(running.room.group.size).toBe(200);
    await call(connection, "send", "to all");
    const received = (m: Member) => m.log.filter((line) => line.endsWith(":to all")).length;
    await until(() => members.every((m) => received(m) > 0));
    expect(members.map(received)).toEqual(members.map(() => 1));
  });
});
