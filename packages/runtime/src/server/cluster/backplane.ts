/**
 * The seam between a node and the other nodes of its cluster. The runtime builds cluster
 * groups and callback references on these few operations; a package such as @svcgen/redis
 * implements them. Nothing here knows a transport: payloads are opaque strings.
 */

/** Why cross-node traffic failed: the other node is gone, or the backplane cannot carry it. */
export type BackplaneFailure = "node-lost" | "backplane";

/** What a backplane rejects `send` with. */
export class BackplaneError extends Error {
  constructor(
    readonly reason: BackplaneFailure,
    message: string,
  ) {
    super(message);
    this.name = "BackplaneError";
  }
}

/** What the backplane tells its node. Every handler is called synchronously and must not throw. */
export interface BackplaneEvents {
  /** A payload another node sent here with `send`, in the order that node sent them. */
  message(payload: string): void;
  /**
   * A payload another node published to `group` (this node's own publications are not
   * echoed), once and in its publisher's order.
   */
  published(group: string, payload: string): void;
  /**
   * Publications to `group` may have been missed (the backplane reconnected, or its store
   * lost the group's position). The group's members on this node must resubscribe.
   */
  groupGap(group: string): void;
  /** These nodes' heartbeats expired, or they left: their connections are gone. */
  nodesLost(nodes: readonly string[]): void;
  /** Lost the connection: cross-node traffic fails until `up`. */
  down(error: Error): void;
  /** Connected again (not called for the first connection). */
  up(): void;
}

/**
 * A cluster transport. Group publications are ordered per publisher and each delivered at
 * most once; where one may have been lost, the backplane says so with `groupGap`.
 */
export interface Backplane {
  /** Joins the cluster as `nodeId` and starts heartbeats; resolves once connected. */
  start(nodeId: string, events: BackplaneEvents): Promise<void>;
  /**
   * Sends `payload` to `node`; rejects with a BackplaneError: "node-lost" when its
   * heartbeat has expired, "backplane" when the backplane cannot take it now.
   */
  send(node: string, payload: string): Promise<void>;
  /** Starts receiving `group`'s publications (idempotent). */
  subscribe(group: string): void;
  unsubscribe(group: string): void;
  /**
   * Publishes to every other node subscribed to `group`, in call order. Never throws: a
   * publication that cannot go out is reported to the other nodes as a gap later.
   */
  publish(group: string, payload: string): void;
  /** Records how many members `group` has on this node (the last call wins). */
  setMemberCount(group: string, count: number): void;
  /** Members of `group` on every live node. */
  memberCount(group: string): Promise<number>;
  /** Leaves the cluster (other nodes see this node lost) and disconnects. */
  close(): Promise<void>;
}
