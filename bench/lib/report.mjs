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
  if (findings) lines.push(...limitsSection(findings, goals));
  return lines.join("\n");
}

/**
 * "What limits it", from FINDINGS.md: its introduction, then for every scenario with a goal
 * this run did not meet, that scenario's section (or a note that none is written yet), then
 * the other sections. So the section always answers for the goals of the run it is in.
 */
export function limitsSection(findings, goals) {
  const { intro, sections } = parseFindings(findings);
  const lines = ["## What limits it", ""];
  if (intro) lines.push(intro, "");
  const unmet = goals.filter((goal) => goal.met === false);
  const shown = new Set();
  for (const id of new Set(unmet.map((goal) => goal.scenario))) {
    const texts = unmet
      .filter((goal) => goal.scenario === id)
      .map((goal) => `${goal.text} (${goal.ratio.toFixed(2)}×)`);
    lines.push(`### ${id}: not met — ${texts.join("; ")}`, "");
    lines.push(
      sections.get(id) ??
        `No finding written yet: profile it (\`node bench/profile.mjs ${id}\`) and add a ` +
          `\`## ${id}\` section to bench/FINDINGS.md.`,
      "",
    );
    shown.add(id);
  }
  for (const [id, body] of sections) {
    if (shown.has(id)) continue;
    const goalsOf = goals.filter((goal) => goal.scenario === id);
    const status = goalsOf.length > 0 && goalsOf.every((goal) => goal.met === true) ? ": met" : "";
    lines.push(`### ${id}${status}`, "", body, "");
  }
  return lines;
}

/** FINDINGS.md: an introduction, then `## <scenario id>` sections, in file order. */
export function parseFindings(text) {
  const parts = text.split(/^## /m);
  const intro = parts.shift().trim();
  const sections = new Map();
  for (const part of parts) {
    const newline = part.indexOf("\n");
    const id = (newline === -1 ? part : part.slice(0, newline)).trim();
    sections.set(id, newline === -1 ? "" : part.slice(newline + 1).trim());
  }
  return { intro, sections };
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
