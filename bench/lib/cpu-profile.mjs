/** Reading V8 CPU profiles (`node --cpu-prof`): where the time went. */

/** Self time per function (summed over call sites), from the sampled profile. */
export function topFunctions(profile, count) {
  const totals = new Map();
  const samplesPerNode = new Map();
  for (const id of profile.samples ?? []) samplesPerNode.set(id, (samplesPerNode.get(id) ?? 0) + 1);
  let all = 0;
  for (const node of profile.nodes) {
    const hits = samplesPerNode.get(node.id) ?? node.hitCount ?? 0;
    if (hits === 0 || node.callFrame.functionName === "(idle)") continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url
      ? `${url.replace(/^file:\/\//, "").replace(process.cwd() + "/", "")}:${lineNumber + 1}`
      : "";
    const name = `${functionName || "(anonymous)"} ${where}`.trim();
    totals.set(name, (totals.get(name) ?? 0) + hits);
    all += hits;
  }
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, hits]) => ({ name, percent: (hits / all) * 100 }));
}
