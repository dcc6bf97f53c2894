/**
 * The Prometheus text exposition format (version 0.0.4) of ServerStats. It is small enough
 * to write directly: every figure already exists in `stats()`, so a client library would
 * only copy them into its own registry on each scrape (docs/operations.md says more).
 */
import type { MethodStats } from "./method-counter.js";
import type { ServerStats } from "./server-stats.js";

export const prometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

type Labels = Readonly<Record<string, string>>;

/** Builds one exposition: each family's HELP and TYPE, then its samples. */
class Exposition {
  readonly #lines: string[] = [];

  family(name: string, type: "gauge" | "counter" | "histogram", help: string): this {
    this.#lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, value: number, labels?: Labels): this {
    this.#lines.push(`${name}${labelText(labels)} ${formatValue(value)}`);
    return this;
  }

  histogram(name: string, stats: MethodStats, labels: Labels): void {
    const { bounds, counts, count, sumSeconds } = stats.latency;
    for (let i = 0; i < bounds.length; i++) {
      this.sample(`${name}_bucket`, counts[i]!, { ...labels, le: formatValue(bounds[i]!) });
    }
    this.sample(`${name}_bucket`, count, { ...labels, le: "+Inf" });
    this.sample(`${name}_sum`, sumSeconds, labels);
    this.sample(`${name}_count`, count, labels);
  }

  text(): string {
    return `${this.#lines.join("\n")}\n`;
  }
}

/**
 * The exposition of `stats`. `clusterMembers`: members of each named group on every node
 * (`metrics: { groups: true }`); without it groups are only counted.
 */
export function prometheusText(
  stats: ServerStats,
  clusterMembers?: ReadonlyMap<string, number>,
): string {
  const out = new Exposition();
  out
    .family("svcgen_uptime_seconds", "gauge", "Seconds since the server started.")
    .sample("svcgen_uptime_seconds", stats.uptimeSeconds);
  out
    .family("svcgen_websocket_connections", "gauge", "Open WebSocket connections.")
    .sample("svcgen_websocket_connections", stats.connections.webSocket);
  if (stats.connections.tcp !== undefined) {
    out
      .family("svcgen_tcp_connections", "gauge", "Open TCP connections of the servers listened on.")
      .sample("svcgen_tcp_connections", stats.connections.tcp);
  }
  out
    .family("svcgen_sessions", "gauge", "WebSocket clients by kind: plain, attached or detached.")
    .sample("svcgen_sessions", stats.sessions.plain, { state: "plain" })
    .sample("svcgen_sessions", stats.sessions.attached, { state: "attached" })
    .sample("svcgen_sessions", stats.sessions.detached, { state: "detached" });
  out
    .family("svcgen_callbacks", "gauge", "Callbacks registered by clients of this node.")
    .sample("svcgen_callbacks", stats.callbacks.live);
  out
    .family(
      "svcgen_callbacks_awaiting_answer",
      "gauge",
      "Awaited callbacks waiting for the client's answer, on this node's clients or another's.",
    )
    .sample("svcgen_callbacks_awaiting_answer", stats.callbacks.awaitingAnswer, { node: "local" })
    .sample("svcgen_callbacks_awaiting_answer", stats.callbacks.awaitingRemoteAnswer, {
      node: "remote",
    });
  out
    .family("svcgen_groups", "gauge", "Named callback groups on this node.")
    .sample("svcgen_groups", stats.groups.length);
  out.family("svcgen_group_members", "gauge", "Members of named groups on this node.").sample(
    "svcgen_group_members",
    stats.groups.reduce((sum, group) => sum + group.members, 0),
  );
  if (clusterMembers !== undefined) {
    out.family(
      "svcgen_group_members_by_group",
      "gauge",
      "Members of each named group: on this node (scope=node) and on every node (scope=cluster).",
    );
    for (const group of stats.groups) {
      const labels = { group: group.name, type: group.type };
      out.sample("svcgen_group_members_by_group", group.members, { ...labels, scope: "node" });
      const cluster = clusterMembers.get(group.name);
      if (cluster !== undefined) {
        out.sample("svcgen_group_members_by_group", cluster, { ...labels, scope: "cluster" });
      }
    }
  }
  out
    .family("svcgen_calls_in_flight", "gauge", "Calls running, by transport.")
    .sample("svcgen_calls_in_flight", stats.callsInFlight.http, { transport: "http" })
    .sample("svcgen_calls_in_flight", stats.callsInFlight.webSocket, { transport: "ws" });
  out
    .family("svcgen_buffered_bytes", "gauge", "Bytes written to sockets and not yet sent.")
    .sample("svcgen_buffered_bytes", stats.bytes.buffered);
  out
    .family(
      "svcgen_unacked_bytes",
      "gauge",
      "Bytes kept by sessions until their clients acknowledge them, attached or detached.",
    )
    .sample("svcgen_unacked_bytes", stats.bytes.unacked, { session: "attached" })
    .sample("svcgen_unacked_bytes", stats.bytes.detached, { session: "detached" });
  methodFamilies(
    out,
    stats.methods.filter((m) => m.kind === "call"),
    "rpc",
    "Calls",
  );
  methodFamilies(
    out,
    stats.methods.filter((m) => m.kind === "callback"),
    "callback",
    "Callbacks the server made",
  );
  return out.text();
}

/** Counts, errors, in-flight and latency of `methods`, labelled by method name. */
function methodFamilies(out: Exposition, methods: MethodStats[], kind: string, what: string): void {
  out.family(`svcgen_${kind}_calls_total`, "counter", `${what} that finished, by method.`);
  for (const m of methods) out.sample(`svcgen_${kind}_calls_total`, m.calls, { method: m.name });
  out.family(`svcgen_${kind}_errors_total`, "counter", `${what} that failed, by method and code.`);
  for (const m of methods) {
    for (const [code, count] of Object.entries(m.errors)) {
      out.sample(`svcgen_${kind}_errors_total`, count, { method: m.name, code });
    }
  }
  out.family(`svcgen_${kind}_in_flight`, "gauge", `${what} running, by method.`);
  for (const m of methods) out.sample(`svcgen_${kind}_in_flight`, m.inFlight, { method: m.name });
  out.family(
    `svcgen_${kind}_duration_seconds`,
    "histogram",
    `How long ${what.toLowerCase()} took until answered, by method.`,
  );
  for (const m of methods) out.histogram(`svcgen_${kind}_duration_seconds`, m, { method: m.name });
}

function labelText(labels: Labels | undefined): string {
  if (labels === undefined) return "";
  const parts: string[] = [];
  for (const [name, value] of Object.entries(labels)) parts.push(`${name}="${escapeLabel(value)}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

/** Label values escape `\`, `"` and line feeds (the format's only escapes). */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** HELP text escapes `\` and line feeds. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}
