/** Who competes where. */
import { contenderNames } from "../lib/contenders.mjs";

export const wsPeers = ["svcgen", "raw-ws", "rpc-websockets", "socket.io", "trpc", "grpc"];
export const restPeers = ["svcgen", "raw-http"];
/**
 * The MessagePack rows: svcgen on `svc.msgpack` (once its contender is registered) and
 * socket.io with its MessagePack parser.
 */
export const binaryPeers = ["svcgen-msgpack", "socket.io-msgpack"].filter((name) =>
  contenderNames.includes(name),
);
