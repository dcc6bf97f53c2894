import { RpcServer } from "@svcgen/runtime";
import type { RpcServerOptions } from "@svcgen/runtime";
import { ChatMemberDescriptor, ChatRoomBase } from "../generated/chat.js";
import { CalculatorService } from "./calculator/calculator-service.js";
import { ChatRoomState } from "./chat/chat-room.js";
import { ChatSession } from "./chat/chat-session.js";
import { LongWorkService } from "./longwork/long-work-service.js";

/** One RpcServer with the three example services, the way an application registers them. */
export function createExampleRpcServer(options: RpcServerOptions = {}): RpcServer {
  const server = new RpcServer(options);
  // Stateless: one shared instance serves every call.
  server.register(new CalculatorService());
  // Shared too: the running works must be reachable from any connection (cancelWork).
  server.register(new LongWorkService());
  // One session per connection, all in the same room: the session remembers who joined.
  // The room's members are a named group of the server: the inspector and stats() show it.
  const room = new ChatRoomState(server.group("chat", ChatMemberDescriptor));
  server.register(ChatRoomBase, () => new ChatSession(room), { instance: "perConnection" });
  return server;
}
