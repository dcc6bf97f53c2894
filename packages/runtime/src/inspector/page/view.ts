/**
 * Renders snapshots into the page's tables. Rates (calls and errors per second) come from
 * the difference between two snapshots. Text only ever goes in as text, never as HTML: the
 * names shown (groups, addresses, messages) come from clients.
 */
import type { Latency, MethodFigures, Snapshot } from "../generated/inspector.js";

interface Previous {
  readonly at: number;
  readonly calls: Map<string, number>;
}

export class PageView {
  readonly #document: Document;
  #previous: Previous | undefined;

  constructor(document: Document) {
    this.#document = document;
  }

  render(snapshot: Snapshot): void {
    const at = snapshot.at.getTime();
    const previous = this.#previous;
    const seconds = previous === undefined ? 0 : (at - previous.at) / 1000;
    this.#figures(snapshot);
    this.#methods(snapshot.methods, previous, seconds);
    this.#connections(snapshot);
    this.#groups(snapshot);
    this.#errors(snapshot);
    this.#previous = { at, calls: new Map(snapshot.methods.map((m) => [m.name, m.calls])) };
    this.#document.body.dataset["snapshots"] = String(
      Number(this.#document.body.dataset["snapshots"] ?? 0) + 1,
    );
  }

  #figures(s: Snapshot): void {
    const box = this.#document.getElementById("figures")!;
    const figures: [string, string, string][] = [
      ["node", "node", s.node],
      ["uptime", "uptime", `${Math.round(s.uptimeSeconds)} s`],
      ["ws", "WebSocket connections", String(s.webSocketConnections)],
      ["attached", "sessions attached", String(s.sessionsAttached)],
      ["detached", "sessions detached", String(s.sessionsDetached)],
      ["callbacks", "callbacks", String(s.callbacks)],
      ["http", "HTTP calls in flight", String(s.httpCallsInFlight)],
    ];
    box.replaceChildren(
      ...figures.map(([id, label, value]) => {
        const figure = this.#element("div", "", { class: "figure", "data-figure": id });
        figure.append(this.#element("b", value), label);
        return figure;
      }),
    );
  }

  #methods(methods: MethodFigures[], previous: Previous | undefined, seconds: number): void {
    const rows = [...methods]
      .sort((a, b) => b.calls - a.calls || a.name.localeCompare(b.name))
      .map((m) => {
        const errors = Object.values(m.errors).reduce((sum, n) => sum + n, 0);
        const before = previous?.calls.get(m.name);
        const rate =
          before === undefined || seconds <= 0 ? "" : ((m.calls - before) / seconds).toFixed(1);
        const row = this.#row(
          [
            [m.name, "method"],
            [m.kind, "kind"],
            [String(m.calls), "calls n"],
            [rate, "rate n"],
            [errors === 0 ? "0" : `${errors} (${codes(m.errors)})`, "errors n"],
            [m.calls === 0 ? "" : `${((100 * errors) / m.calls).toFixed(1)} %`, "error-rate n"],
            [String(m.inFlight), "in-flight n"],
            [quantile(m.latency, 0.5), "p50 n"],
            [quantile(m.latency, 0.99), "p99 n"],
          ],
          { "data-method": m.name },
        );
        if (errors > 0) row.classList.add("failing");
        return row;
      });
    this.#fill("methods", rows, 9, "no methods");
  }

  #connections(s: Snapshot): void {
    const rows = s.connections.map((c) =>
      this.#row(
        [
          [c.id, "id"],
          [c.remoteAddress, "address"],
          [c.session ? (c.attached ? "session" : "session (detached)") : "plain", "kind"],
          [String(c.callsInFlight), "in-flight n"],
          [bytes(c.bufferedBytes), "buffered n"],
          [bytes(c.unackedBytes), "unacked n"],
          [
            c.callbacks
              .map(
                (cb) =>
                  `${cb.type} ${cb.id}${cb.groups.length ? ` (${cb.groups.join(", ")})` : ""}`,
              )
              .join("; "),
            "callbacks",
          ],
        ],
        { "data-connection": c.id },
      ),
    );
    const more = s.connectionsTotal - s.connections.length;
    this.#fill(
      "connections",
      rows,
      7,
      "no WebSocket connections",
      more > 0 ? `… and ${more} more` : "",
    );
  }

  #groups(s: Snapshot): void {
    const rows = s.groups.map((g) =>
      this.#row(
        [
          [g.name, "name"],
          [g.type, "type"],
          [String(g.members), "members n"],
        ],
        { "data-group": g.name },
      ),
    );
    this.#fill("groups", rows, 3, "no named groups (server.group)");
  }

  #errors(s: Snapshot): void {
    const rows = s.recentErrors.map((e) =>
      this.#row([
        [e.at.toLocaleTimeString(), "at"],
        [e.method, "method"],
        [String(e.code), "code n"],
        [e.message, "message"],
        [e.incident ?? "", "incident"],
      ]),
    );
    this.#fill("errors", rows, 5, "no errors");
  }

  #fill(table: string, rows: HTMLElement[], columns: number, empty: string, footer = ""): void {
    const body = this.#document.querySelector(`#${table} tbody`)!;
    if (rows.length === 0) {
      const cell = this.#element("td", empty, { class: "empty", colspan: String(columns) });
      const row = this.#element("tr");
      row.append(cell);
      rows = [row];
    }
    if (footer !== "") {
      const row = this.#element("tr");
      row.append(this.#element("td", footer, { class: "empty", colspan: String(columns) }));
      rows.push(row);
    }
    body.replaceChildren(...rows);
  }

  #row(cells: [string, string][], attributes: Record<string, string> = {}): HTMLElement {
    const row = this.#element("tr", "", attributes);
    for (const [text, className] of cells)
      row.append(this.#element("td", text, { class: className }));
    return row;
  }

  #element(tag: string, text = "", attributes: Record<string, string> = {}): HTMLElement {
    const element = this.#document.createElement(tag);
    if (text !== "") element.textContent = text;
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    return element;
  }
}

function codes(errors: Record<string, number>): string {
  return Object.entries(errors)
    .map(([code, n]) => `${code}×${n}`)
    .join(", ");
}

/** The upper bound of the bucket holding the q-quantile: what Prometheus' histogram_quantile bounds. */
function quantile(latency: Latency, q: number): string {
  if (latency.count === 0) return "";
  const rank = q * latency.count;
  for (let i = 0; i < latency.bounds.length; i++) {
    if (latency.counts[i]! >= rank) return `≤ ${milliseconds(latency.bounds[i]!)}`;
  }
  return `> ${milliseconds(latency.bounds[latency.bounds.length - 1]!)}`;
}

function milliseconds(seconds: number): string {
  return seconds < 1 ? `${seconds * 1000} ms` : `${seconds} s`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
