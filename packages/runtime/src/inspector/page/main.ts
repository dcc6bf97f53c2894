/**
 * The inspector page's script (runs in the browser; served by the server with the runtime's
 * browser bundle as `@svcgen/runtime`). Connects over WebSocket, asks the Inspector service
 * to push snapshots to its InspectorView callback, and renders each one. The page's query
 * string goes along with the WebSocket URL, so that an `authenticate` hook reading a token
 * from it admits the page (browsers cannot set headers on a WebSocket).
 */
import { connectWebSocket } from "@svcgen/runtime";
import { InspectorClient, type Snapshot } from "../generated/inspector.js";
import { PageView } from "./view.js";

const query = new URLSearchParams(location.search);
const interval = Number(query.get("interval") ?? 1000) || 1000;
const wsUrl = new URL(document.body.dataset["wsPath"] ?? "/ws", location.href);
wsUrl.protocol = location.protocol === "https:" ? "wss:" : "ws:";
wsUrl.search = location.search;

const view = new PageView(document);
const status = document.getElementById("status")!;

function showStatus(text: string, connected: boolean): void {
  status.textContent = text;
  status.className = connected ? "connected" : "";
}

async function start(): Promise<void> {
  const connection = await connectWebSocket(wsUrl.href);
  connection.on("reconnecting", () => showStatus("reconnecting…", false));
  connection.on("resumed", () => showStatus("connected", true));
  connection.on("reconnected", () => showStatus("connected", true));
  const inspector = new InspectorClient(connection);
  // @resubscribe: after a lost session the client calls watch again by itself.
  await inspector.watch(
    { snapshot: (_node: string, state: Snapshot) => view.render(state) },
    interval,
  );
  showStatus("connected", true);
}

start().catch((error: unknown) => {
  const code = (error as { code?: unknown }).code;
  showStatus(
    `not connected: ${error instanceof Error ? error.message : String(error)}${
      code === undefined ? "" : ` (${String(code)})`
    }`,
    false,
  );
});
