/**
 * What a node's session feed (test/session/services.ts) saw, for tests that cannot look
 * into the node's process: a service whose one method reports it as JSON.
 *
 *   interface Probe { report(): string; }
 */
import { defineService, type RpcServer } from "@svcgen/runtime";
import { t } from "@svcgen/runtime";
import type { FeedImpl } from "../session/services.js";

export interface ProbeReport {
  /** The node the call ran on: where the caller's session lives. */
  readonly node: string;
  /** How many proxies `subscribe` was handed on this node. */
  readonly proxies: number;
  /** Release reasons the node's implementation heard, in order. */
  readonly releases: string[];
  /** Checkpoints whose promise settled more than once. */
  readonly settledTwice: number[];
  /** Sessions (CallContext.connection.id) that subscribed here. */
  readonly subscribers: string[];
}

export const ProbeDescriptor = defineService({
  name: "scale.Probe",
  contractHash: "e".repeat(64),
  methods: [{ name: "report", params: [], returns: t.string }],
});

export class Probe {
  static readonly descriptor = ProbeDescriptor;

  constructor(
    readonly server: RpcServer,
    readonly feed: FeedImpl,
  ) {}

  report(): string {
    const report: ProbeReport = {
      node: this.server.nodeId,
      proxies: this.feed.proxies.length,
      releases: [...this.feed.releases],
      settledTwice: [...this.feed.settled].filter(([, n]) => n > 1).map(([i]) => i),
      subscribers: [...this.feed.sinks.keys()],
    };
    return JSON.stringify(report);
  }
}
