/** The Redis keys and channels of one cluster (all under its prefix). */
export class Keys {
  constructor(readonly prefix: string) {}

  /** ZSET node id → last heartbeat (Redis time, ms). */
  get nodes(): string {
    return `${this.prefix}:nodes`;
  }

  /** STREAM of payloads sent to `node`. */
  inbox(node: string): string {
    return `${this.prefix}:node:${node}:inbox`;
  }

  /** Pub/sub channel of a group's publications. */
  groupChannel(group: string): string {
    return `${this.prefix}:grp:${group}`;
  }

  /** HASH epoch, offset of a group's publications. */
  groupMeta(group: string): string {
    return `${this.prefix}:grp:${group}:meta`;
  }

  /** HASH node id → members of the group on that node. */
  groupCounts(group: string): string {
    return `${this.prefix}:grp:${group}:count`;
  }
}
