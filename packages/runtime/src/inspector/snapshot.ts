/**
 * What the inspector page shows, built from `server.stats()` and the sessions themselves:
 * the figures as they are, plus the most recent connections with their callbacks and the
 * groups each callback is in.
 */
import { ClusterGroup } from "../server/cluster/cluster-group.js";
import type { ServerStats } from "../server/metrics/server-stats.js";
import type { WsSession } from "../server/ws-session.js";
import type { CallbackFigures, ConnectionFigures, Snapshot } from "./generated/inspector.js";

/** Connections listed in one snapshot (the count of all is given besides). */
export const connectionsShown = 100;
/** Callbacks listed per connection. */
export const callbacksShown = 50;

export function buildSnapshot(stats: ServerStats, sessions: readonly WsSession[]): Snapshot {
  const connections: ConnectionFigures[] = [];
  // Sessions are kept in the order they began: the newest are last.
  for (let i = sessions.length - 1; i >= 0 && connections.length < connectionsShown; i--) {
    connections.push(connectionFigures(sessions[i]!));
  }
  return {
    at: stats.at,
    node: stats.node,
    uptimeSeconds: stats.uptimeSeconds,
    webSocketConnections: stats.connections.webSocket,
    httpCallsInFlight: stats.callsInFlight.http,
    sessionsAttached: stats.sessions.attached + stats.sessions.plain,
    sessionsDetached: stats.sessions.detached,
    callbacks: stats.callbacks.live,
    connections,
    connectionsTotal: sessions.length,
    groups: stats.groups.map((group) => ({ ...group })),
    methods: stats.methods.map((m) => ({
      name: m.name,
      kind: m.kind,
      calls: m.calls,
      errors: { ...m.errors },
      inFlight: m.inFlight,
      latency: { ...m.latency, bounds: [...m.latency.bounds], counts: [...m.latency.counts] },
    })),
    recentErrors: stats.recentErrors.map((e) => ({ ...e })),
  };
}

function connectionFigures(session: WsSession): ConnectionFigures {
  const callbacks: CallbackFigures[] = [];
  for (const state of session.callbackStates()) {
    if (callbacks.length >= callbacksShown) break;
    const groups: string[] = [];
    for (const watcher of state.watchers()) {
      if (watcher instanceof ClusterGroup) groups.push(watcher.name);
    }
    callbacks.push({ id: state.id, type: state.descriptor.name, groups });
  }
  return {
    id: session.info.id,
    remoteAddress: session.info.remoteAddress,
    session: session.sequenced,
    attached: session.attached,
    callsInFlight: session.callsRunning,
    bufferedBytes: session.bufferedBytes,
    unackedBytes: session.keptBytes,
    callbacks,
  };
}
