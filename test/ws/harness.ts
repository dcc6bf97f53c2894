/** A real RpcServer on 127.0.0.1:0 with the chat and lab services; the raw clients of ../support. */
import { RpcServer, type RpcServerOptions } from "@svcgen/runtime";
import { LabImpl, Room, Session, SessionBase } from "./services.js";

export interface Running {
  readonly server: RpcServer;
  readonly room: Room;
  readonly lab: LabImpl;
  /** `ws://127.0.0.1:port/ws` */
  readonly wsUrl: string;
  close(): Promise<void>;
}

export async function startServer(options: RpcServerOptions = {}): Promise<Running> {
  const server = new RpcServer({ logger: false, ...options });
  const room = new Room();
  const lab = new LabImpl();
  server.register(room);
  server.register(lab);
  server.register(SessionBase, () => new Session(), { instance: "perConnection" });
  const { url } = await server.listen({ port: 0, host: "127.0.0.1" });
  return {
    server,
    room,
    lab,
    wsUrl: `${url.replace(/^http/, "ws")}/ws`,
    close: () => server.close(),
  };
}

export { RawClient, until } from "../support/raw-clients.js";
