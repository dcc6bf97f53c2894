/** Who competes where. */
export const wsPeers = ["svcgen", "raw-ws", "rpc-websockets", "socket.io", "trpc", "grpc"];
export const restPeers = ["svcgen", "raw-http"];
