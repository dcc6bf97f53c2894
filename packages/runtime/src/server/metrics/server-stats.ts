/**
 * `server.stats()`: the server's figures at one moment. Gauges are computed here, on demand,
 * from the state the server keeps anyway (its sockets, sessions, callbacks and groups); the
 * per-method figures come from CallMetrics. Nothing is counted for a figure nobody asks for.
 */
import type { ClusterGroup } from "../cluster/cluster-group.js";
import type { WsSession } from "../ws-session.js";
import type { CallMetrics, RecentError } from "./call-metrics.js";
import type { MethodStats } from "./method-counter.js";

export interface GroupStats {
  /** The name given to `server.group(name, descriptor)`. */
  readonly name: string;
  /** Its callback type, e.g. `chat.ChatEvents`. */
  readonly type: string;
  /** Members on this node. */
  readonly members: number;
}

export interface ServerStats {
  readonly at: Date;
  /** This server's id in its cluster (`server.nodeId`). */
  readonly node: string;
  readonly uptimeSeconds: number;
  readonly connections: {
    /** Open WebSocket connections. */
    readonly webSocket: number;
    /**
     * Open TCP connections (HTTP keep-alive and WebSocket alike) of the servers made by
     * `listen()` or passed to `attach()`; undefined when the server only has its
     * `requestListener` used by an app.
     */
    readonly tcp: number | undefined;
  };
  readonly sessions: {
    /** WebSocket clients without `$/session`: each ends with its socket. */
    readonly plain: number;
    /** Sequenced sessions with a socket. */
    readonly attached: number;
    /** Sequenced sessions waiting for their client to resume. */
    readonly detached: number;
  };
  readonly callbacks: {
    /** Callbacks clients registered on this node and the server holds. */
    readonly live: number;
    /** Awaited callbacks sent to clients of this node, waiting for the answer. */
    readonly awaitingAnswer: number;
    /** Awaited callbacks sent to other nodes' clients, waiting for the answer. */
    readonly awaitingRemoteAnswer: number;
  };
  /** The named groups of this node (`server.group`). */
  readonly groups: readonly GroupStats[];
  readonly callsInFlight: {
    /** REST and `/rpc` calls running. */
    readonly http: number;
    /** WebSocket calls running, notifications included. */
    readonly webSocket: number;
  };
  readonly bytes: {
    /** Written to sockets and not yet sent (the kernel would not take them yet). */
    readonly buffered: number;
    /** Kept by attached sessions until their clients acknowledge them. */
    readonly unacked: number;
    /** Kept by detached sessions for their clients' resume. */
    readonly detached: number;
  };
  /** Every method of the registered services, and every callback method the server called. */
  readonly methods: readonly MethodStats[];
  /** The last failed calls and awaited callbacks, newest first (at most 50). */
  readonly recentErrors: readonly RecentError[];
}

/** Where the figures are read from (RpcServer's parts). */
export interface StatsSources {
  readonly node: string;
  readonly startedAt: number;
  readonly metrics: CallMetrics;
  sessions(): Iterable<WsSession>;
  readonly webSocketConnections: number;
  readonly detachedBytes: number;
  readonly tcpConnections: number | undefined;
  readonly httpCallsInFlight: number;
  readonly remoteCallsPending: number;
  groups(): Iterable<ClusterGroup<unknown>>;
}

export function collectStats(sources: StatsSources): ServerStats {
  let plain = 0;
  let attached = 0;
  let detached = 0;
  let live = 0;
  let awaitingAnswer = 0;
  let wsCalls = 0;
  let buffered = 0;
  let unacked = 0;
  for (const session of sources.sessions()) {
    if (!session.sequenced) plain++;
    else if (session.attached) {
      attached++;
      unacked += session.keptBytes;
    } else detached++;
    live += session.callbackCount;
    awaitingAnswer += session.callbackRequestsPending;
    wsCalls += session.callsRunning;
    buffered += session.bufferedBytes;
  }
  const groups: GroupStats[] = [];
  for (const group of sources.groups()) {
    groups.push({ name: group.name, type: group.descriptor.name, members: group.size });
  }
  const methods: MethodStats[] = [];
  for (const counter of sources.metrics.counters()) methods.push(counter.stats());
  return {
    at: new Date(),
    node: sources.node,
    uptimeSeconds: (performance.now() - sources.startedAt) / 1000,
    connections: { webSocket: sources.webSocketConnections, tcp: sources.tcpConnections },
    sessions: { plain, attached, detached },
    callbacks: { live, awaitingAnswer, awaitingRemoteAnswer: sources.remoteCallsPending },
    groups,
    callsInFlight: { http: sources.httpCallsInFlight, webSocket: wsCalls },
    bytes: { buffered, unacked, detached: sources.detachedBytes },
    methods,
    recentErrors: sources.metrics.recentErrors(),
  };
}
