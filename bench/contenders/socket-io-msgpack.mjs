/**
 * socket.io with socket.io-msgpack-parser on both ends: the same server and client as
 * ./socket-io.mjs, packets encoded as MessagePack (binary frames) instead of its JSON text
 * protocol. The peer of svcgen's `svc.msgpack` in the binary rows.
 */
import parser from "socket.io-msgpack-parser";
import { connectWith, startServerWith } from "./socket-io.mjs";

export function startServer() {
  return startServerWith({ parser });
}

export function connect(port) {
  return connectWith(port, { parser });
}
