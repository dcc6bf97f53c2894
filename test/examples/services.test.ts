/**
 * The example services over real connections, for what the demo and the page do not show:
 * refusals with declared errors, and the cleanup when a member or a listener goes away.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { connectHttp, connectWebSocket } from "@svcgen/runtime";
import type { Connection, WebSocketConnection } from "@svcgen/runtime";
import { ChatRoomClient, NameTaken, NotJoined } from "../../generated/chat.js";
import { LongWorkClient, WorkNotFound } from "../../generated/longwork.js";
import { ChatParticipant } from "../../examples/chat/client.js";
import { runWork } from "../../examples/longwork/client.js";
import { startExampleServer } from "../../examples/server.js";
import type { ExampleServer } from "../../examples/server.js";

let server: ExampleServer;
let http: Connection;
const sockets: WebSocketConnection[] = [];

async function socket(): Promise<WebSocketConnection> {
  const connection = await connectWebSocket(server.wsUrl, { reconnect: false });
  sockets.push(connection);
  return connection;
}

beforeAll(async () => {
  server = await startExampleServer({ port: 0, host: "127.0.0.1", rpc: { logger: false } });
  http = connectHttp(server.url);
});

afterAll(async () => {
  await Promise.allSettled(sockets.map((connection) => connection.close()));
  await http.close();
  await server.close();
});

describe("chat room", () => {
  test("refuses a taken name and calls before joining with the declared errors", async () => {
    const first = new ChatRoomClient(await socket());
    const second = new ChatRoomClient(await socket());
    await ChatParticipant.join(first, "carol");

    await expect(second.send("anyone?")).rejects.toBeInstanceOf(NotJoined);
    await expect(second.leave()).rejects.toBeInstanceOf(NotJoined);
    await expect(ChatParticipant.join(second, "carol")).rejects.toBeInstanceOf(NameTaken);
    await expect(new ChatRoomClient(http).members()).resolves.toContain("carol");
    await first.leave();
    await expect(new ChatRoomClient(http).members()).resolves.not.toContain("carol");
  });

  test("a member whose connection closes leaves, and the others are told", async () => {
    const staying = new ChatRoomClient(await socket());
    const goingSocket = await socket();
    const { participant: dave } = await ChatParticipant.join(staying, "dave");
    await ChatParticipant.join(new ChatRoomClient(goingSocket), "erin");
    await dave.waitFor((event) => event.kind === "joined" && event.name === "erin");

    await goingSocket.close();
    const left = await dave.waitFor((event) => event.kind === "left" && event.name === "erin");
    expect(left).toEqual({ kind: "left", name: "erin", reason: "disconnected" });
    await expect(new ChatRoomClient(http).members()).resolves.not.toContain("erin");
    // The name is free again.
    const { participant: erin } = await ChatParticipant.join(
      new ChatRoomClient(await socket()),
      "erin",
    );
    expect(erin.name).toBe("erin");
  });
});

describe("long work", () => {
  test("the server lets the listener go once its work ended", async () => {
    const connection = await socket();
    const released = new Promise<string>((resolve) =>
      connection.on("released", (_callback, reason) => resolve(reason)),
    );
    const outcome = await runWork(
      new LongWorkClient(connection),
      "short",
      { steps: 2, stepMillis: 1 },
      { progress: () => undefined, ended: () => undefined },
    );
    expect(outcome).toMatchObject({ name: "short", finished: true });
    await expect(released).resolves.toBe("work ended");
  });

  test("cancelling unknown work is WorkNotFound, over REST too", async () => {
    await expect(new LongWorkClient(http).cancelWork("nope#1")).rejects.toBeInstanceOf(
      WorkNotFound,
    );
    const response = await fetch(`${server.url}/longwork.LongWork/cancelWork`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ workId: "nope#1" }),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      error: "longwork.WorkNotFound",
      data: { workId: "nope#1" },
    });
  });

  test("startWork over REST is refused: its listener needs a WebSocket", async () => {
    await expect(
      new LongWorkClient(http).startWork("rest", {
        progress: () => undefined,
        finished: () => undefined,
        failed: () => undefined,
      }),
    ).rejects.toThrow(/WebSocket/);
  });
});
