/** Why a session ended, as the `reason` of `$/session` answers and of released callbacks. */
export const SessionReason = {
  /** Detached longer than the window, or over its byte bound while detached. */
  Expired: "expired",
  /** The server knows no such session (never issued, or forgotten long ago). */
  Unknown: "unknown",
  /** The resuming request authenticated as someone else than the session's owner. */
  Principal: "principal",
  /**
   * The resuming socket negotiated another encoding than the session's (what it keeps for
   * replay is encoded already); the session itself lives on.
   */
  Encoding: "encoding",
  /** The node that held the session is gone (scale-out). */
  NodeLost: "node-lost",
  /** Attached, the peer did not acknowledge fast enough: closed with 1008. */
  SlowConsumer: "slow-consumer",
  /** The server closed. */
  Shutdown: "shutdown",
  /** The client ended the session (closed with 1000), or a connection without a session closed. */
  Disconnected: "disconnected",
} as const;

export type SessionReasonValue = (typeof SessionReason)[keyof typeof SessionReason];

/** WebSocket close codes of the session layer. */
export const SessionCloseCode = {
  /** The client ends its session. */
  Normal: 1000,
  /** A sequence number jumped, or a sequenced message came without one. */
  ProtocolError: 1002,
  /** A newer socket resumed the session. */
  TakenOver: 4000,
  /**
   * The server gave the session up while attached (it closes, for one): the close reason is
   * the session's reason, and the client need not try to resume.
   */
  Ended: 4001,
} as const;
