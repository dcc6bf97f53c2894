/**
 * The results chart, drawn by hand: one group of bars per scenario, each bar a contender's
 * result relative to the scenario's baseline, turned so that longer is always better
 * (for "lower is better" units the baseline is divided by the result).
 */
const palette = {
  svcgen: "#2563eb",
  "raw-ws": "#6b7280",
  "raw-http": "#6b7280",
  json: "#6b7280",
  "rpc-websockets": "#f59e0b",
  "socket.io": "#10b981",
  trpc: "#8b5cf6",
  grpc: "#ef4444",
};

const layout = { width: 760, labelWidth: 200, barHeight: 14, gap: 3, groupGap: 18, top: 40 };

export function renderChart(scenarios) {
  const groups = scenarios
    .filter(
      (scenario) => scenario.baseline && typeof scenario.results[scenario.baseline] === "number",
    )
    .map((scenario) => ({ scenario, bars: barsOf(scenario) }))
    .filter((group) => group.bars.length > 0);
  const maxRatio = Math.max(1.2, ...groups.flatMap((group) => group.bars.map((bar) => bar.ratio)));
  const plotWidth = layout.width - layout.labelWidth - 170;
  const scale = (ratio) => (ratio / maxRatio) * plotWidth;
  const parts = [];
  let y = layout.top;
  for (const { scenario, bars } of groups) {
    parts.push(text(10, y + 11, scenario.id, { weight: "bold" }));
    y += 16;
    for (const bar of bars) {
      const width = Math.max(1, scale(bar.ratio));
      parts.push(text(layout.labelWidth - 8, y + 11, bar.contender, { anchor: "end" }));
      parts.push(
        `<rect x="${layout.labelWidth}" y="${y}" width="${width.toFixed(1)}" ` +
          `height="${layout.barHeight}" fill="${palette[bar.contender] ?? "#9ca3af"}"/>`,
      );
      parts.push(
        text(layout.labelWidth + width + 6, y + 11, `${bar.ratio.toFixed(2)}×`),
        text(layout.labelWidth + width + 46, y + 11, `${formatValue(bar.value)} ${scenario.unit}`, {
          fill: "#6b7280",
        }),
      );
      y += layout.barHeight + layout.gap;
    }
    y += layout.groupGap - layout.gap;
  }
  const baselineX = layout.labelWidth + scale(1);
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${height}" ` +
      `viewBox="0 0 ${layout.width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    text(10, 20, "Relative to each scenario's baseline (1× = baseline; longer is better)", {
      weight: "bold",
    }),
    `<line x1="${baselineX.toFixed(1)}" y1="${layout.top - 6}" x2="${baselineX.toFixed(1)}" ` +
      `y2="${y - layout.groupGap}" stroke="#111827" stroke-dasharray="4 3"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}

function barsOf(scenario) {
  const baseline = scenario.results[scenario.baseline];
  return Object.entries(scenario.results)
    .filter(([, value]) => typeof value === "number" && value > 0)
    .map(([contender, value]) => ({
      contender,
      value,
      ratio: scenario.better === "higher" ? value / baseline : baseline / value,
    }));
}

function text(x, y, content, { anchor = "start", weight = "normal", fill = "#111827" } = {}) {
  return (
    `<text x="${x.toFixed(1)}" y="${y}" text-anchor="${anchor}" font-weight="${weight}" ` +
    `fill="${fill}">${escapeXml(content)}</text>`
  );
}

const formatValue = (value) =>
  value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toPrecision(3);

const escapeXml = (value) =>
  String(value).replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c],
  );
