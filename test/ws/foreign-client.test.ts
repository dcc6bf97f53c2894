/**
 * A JSON-RPC client nobody here wrote (the `json-rpc-2.0` package over a raw `ws` socket)
 * calls a method with a callback id, hears `$/callback`, and answers an awaited one.
 */
import { afterEach, expect, test } from "@jest/globals";
import { JSONRPCClient, JSONRPCServer, JSONRPCServerAndClient } from "json-rpc-2.0";
import WebSocket from "ws";
import { startServer, until, type Running } from "./harness.js";

let running: Running | undefined;
let socket: WebSocket | undefined;

afterEach(async () => {
  if (socket && socket.readyState !== WebSocket.CLOSED) {
    const closed = new Promise((resolve) => socket!.once("close", resolve));
    socket.close();
    await closed;
  }
  await running?.close();
  running = socket = undefined;
});

test("json-rpc-2.0 peer: calls with a callback id and answers $/callback", async () => {
  running = await startServer();
  socket = new WebSocket(running.wsUrl, ["svc.json"]);
  await new Promise((resolve) => socket!.once("open", resolve));
  const ws = socket;
  const peer = new JSONRPCServerAndClient(
    new JSONRPCServer(),
    new JSONRPCClient((request) => ws.send(JSON.stringify(request))),
  );
  ws.on(
    "message",
    (data) => void peer.receiveAndSend(JSON.parse(data.toString()), undefined, undefined),
  );

  const items: number[] = [];
  peer.addMethod("$/callback", (params: any) => {
    if (params.callback !== "probe-1") throw new Error("unknown callback");
    if (params.method === "item") {
      items.push(params.args.n);
      return null;
    }
    return `foreign:${params.args.question}`;
  });

  expect(await peer.request("lab.Lab.push", { probe: "probe-1", count: 3 }, undefined)).toBe(3);
  await until(() => items.length === 3);
  expect(items).toEqual([0, 1, 2]);
  expect(await peer.request("lab.Lab.ask", { probe: "probe-1", question: "hi" }, undefined)).toBe(
    "ok:foreign:hi",
  );
  const contract = await peer.request("$/contract", {}, undefined);
  expect(Object.keys(contract.services).sort()).toEqual([
    "chat.ChatRoom",
    "lab.Lab",
    "lab.Session",
  ]);
});
