/** Writes RESULTS.md from the results of one run. */
import { round } from "./stats.mjs";

export function renderMarkdown({ machine, scenarios, goals, command, findings, generateWarning }) {
  const lines = [
    "# Benchmark results",
    "",
    `Produced by \`${command}\` on ${machine.date}. Each number is the median of the runs; ` +
      "the spread is min–max over the runs. Every contender runs in fresh child processes " +
      "(server and client apart). See [README.md](README.md) for what each scenario measures.",
    "",
    generateWarning
      ? `svcgen ran the hand-written bench-service.mjs: ${generateWarning}.`
      : "svcgen ran the TypeScript generated from bench.svc by `svcgen generate`.",
    "",
    "## Machine",
    "",
    `${machine.cpus} × ${machine.model}, Node ${machine.node}, ${machine.os}.`,
    "",
    "## Goals",
    "",
    "| goal | compared with | ratio | met |",
    "| --- | --- | --- | --- |",
    ...goals.map(
      (goal) =>
        `| ${goal.text} | ${goal.compared ?? "–"} | ${goal.ratio === null ? "–" : `${goal.ratio.toFixed(2)}×`} ` +
        `| ${goal.met === null ? (goal.note ?? "–") : goal.met ? "met" : "**not met**"} |`,
    ),
    "",
    "![Results relative to baseline](results.svg)",
    "",
  ];
  for (const scenario of scenarios) lines.push(...scenarioSection(scenario));
  if (findings) lines.push("## What limits it", "", findings.trim(), "");
  return lines.join("\n");
}

function scenarioSection(scenario) {
  const metricKeys = Object.keys(scenario.metrics ?? {});
  const header = [
    "contender",
    `median (${scenario.unit}, ${scenario.better} is better)`,
    "spread (min–max)",
    ...(scenario.baseline ? [`ratio to ${scenario.baseline}`] : []),
    ...metricKeys.map((key) => `${key} (${scenario.metrics[key].unit})`),
  ];
  const rows = [];
  for (const contender of scenario.contenders) {
    const value = scenario.results[contender];
    if (typeof value !== "number") {
      rows.push([
        contender,
        scenario.unavailable?.[contender] ?? "–",
        "",
        ...header.slice(3).map(() => ""),
      ]);
      continue;
    }
    const spread = scenario.spread[contender];
    rows.push([
      contender,
      format(value),
      `${format(spread.min)} – ${format(spread.max)}`,
      ...(scenario.baseline ? [ratioText(scenario.ratios?.[contender])] : []),
      ...metricKeys.map((key) => format(scenario.metrics[key].results[contender])),
    ]);
  }
  return [
    `## ${scenario.id}: ${scenario.title}`,
    "",
    scenario.description,
    "",
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
    "",
  ];
}

const ratioText = (ratio) => (typeof ratio === "number" ? `${ratio.toFixed(2)}×` : "–");

function format(value) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "–";
  return round(value).toLocaleString("en-US");
}
