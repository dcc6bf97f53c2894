/**
 * The `svcgen.inspector.Inspector` service: a snapshot on request, or one pushed to the
 * page's InspectorView callback every interval until the page lets it go. Its calls pass
 * the server's `authorize` like any other; a server without `authorize` serves it only to
 * WebSocket clients on a loopback address.
 */
import { ErrorCode } from "../protocol/codes.js";
import { RpcError } from "../protocol/errors.js";
import type { CallbackProxy, CallContext } from "../server/context.js";
import type { ServerStats } from "../server/metrics/server-stats.js";
import type { WsSession } from "../server/ws-session.js";
import { InspectorBase, type InspectorView, type Snapshot } from "./generated/inspector.js";
import { buildSnapshot } from "./snapshot.js";

/** The shortest interval between pushed snapshots. */
export const minimumIntervalMs = 100;

/** What the service reads from its server. */
export interface InspectedServer {
  stats(): ServerStats;
  sessions(): WsSession[];
  /** Whether the server has an `authorize` hook (which then decides alone). */
  readonly authorizes: boolean;
}

export class InspectorService extends InspectorBase {
  readonly #server: InspectedServer;

  constructor(server: InspectedServer) {
    super();
    this.#server = server;
  }

  snapshot(ctx: CallContext): Snapshot {
    this.#admit(ctx);
    return this.#snapshot();
  }

  watch(view: CallbackProxy<InspectorView>, intervalMillis: number, ctx: CallContext): void {
    this.#admit(ctx);
    const interval = Math.max(minimumIntervalMs, intervalMillis);
    const push = (): void => {
      if (view.released) return;
      const snapshot = this.#snapshot();
      // Oneway: queued or dropped, never a rejection.
      void view.snapshot(snapshot.node, snapshot);
    };
    const timer = setInterval(push, interval);
    timer.unref();
    view.onRelease(() => clearInterval(timer));
    // The first one after the answer: the client knows the call succeeded when it arrives.
    setImmediate(push);
  }

  #snapshot(): Snapshot {
    return buildSnapshot(this.#server.stats(), this.#server.sessions());
  }

  /** Without an `authorize` hook, only a WebSocket client on this machine may inspect. */
  #admit(ctx: CallContext): void {
    if (this.#server.authorizes) return;
    if (!isLoopback(ctx.connection?.remoteAddress)) {
      throw new RpcError(
        ErrorCode.Forbidden,
        "the inspector is only served to this machine unless the server has an authorize hook",
      );
    }
  }
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}
