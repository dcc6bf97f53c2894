/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests: every line must
 * be a HELP, a TYPE or a sample; names, label syntax, escapes and numbers are checked; each
 * family is declared once, before its samples, which stay together; no series twice; a
 * histogram's buckets are cumulative and end with `+Inf` equal to `_count`, with `_sum`.
 * Throws an Error naming the line on anything else.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly samples: Sample[];
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const types = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

export function parsePrometheusText(text: string): Map<string, Family> {
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a line feed");
  const families = new Map<string, Family>();
  const helps = new Map<string, string>();
  const seenSeries = new Set<string>();
  let current: Family | undefined;
  const lines = text.slice(0, -1).split("\n");
  lines.forEach((line, index) => {
    const where = `line ${index + 1} (${JSON.stringify(line)})`;
    if (line.startsWith("# HELP ")) {
      const [, name, help] = /^# HELP (\S+) (.*)$/.exec(line) ?? [];
      if (name === undefined || !metricName.test(name)) throw new Error(`${where}: bad HELP`);
      if (helps.has(name)) throw new Error(`${where}: second HELP for ${name}`);
      if (/\\[^\\n]/.test(help!.replace(/\\\\/g, ""))) throw new Error(`${where}: bad escape`);
      helps.set(name, help!);
      return;
    }
    if (line.startsWith("# TYPE ")) {
      const [, name, type] = /^# TYPE (\S+) (\S+)$/.exec(line) ?? [];
      if (name === undefined || !metricName.test(name) || !types.has(type!)) {
        throw new Error(`${where}: bad TYPE`);
      }
      if (families.has(name)) throw new Error(`${where}: second TYPE for ${name}`);
      current = { name, type: type!, help: helps.get(name) ?? "", samples: [] };
      families.set(name, current);
      return;
    }
    if (line.startsWith("#") || line.trim() === "") {
      throw new Error(`${where}: only HELP, TYPE and samples are expected`);
    }
    const sample = parseSample(line, where);
    const family = familyOf(sample.name, current);
    if (family === undefined) throw new Error(`${where}: a sample outside its family's block`);
    const series = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seenSeries.has(series)) throw new Error(`${where}: series twice`);
    seenSeries.add(series);
    family.samples.push(sample);
  });
  for (const family of families.values()) {
    if (family.type === "histogram") checkHistogram(family);
  }
  return families;
}

/** The family a sample belongs to: the current one, by name or histogram suffix. */
function familyOf(name: string, current: Family | undefined): Family | undefined {
  if (current === undefined) return undefined;
  if (name === current.name) return current;
  if (current.type === "histogram") {
    for (const suffix of ["_bucket", "_sum", "_count"]) {
      if (name === current.name + suffix) return current;
    }
  }
  return undefined;
}

function parseSample(line: string, where: string): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (nameMatch === null) throw new Error(`${where}: bad metric name`);
  const name = nameMatch[0];
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1);
    while (!rest.startsWith("}")) {
      const label = /^([^=]+)="/.exec(rest);
      if (label === null || !labelName.test(label[1]!)) throw new Error(`${where}: bad label`);
      if (Object.hasOwn(labels, label[1]!)) throw new Error(`${where}: label twice`);
      rest = rest.slice(label[0].length);
      let value = "";
      for (;;) {
        const ch = rest[0];
        if (ch === undefined) throw new Error(`${where}: unterminated label value`);
        rest = rest.slice(1);
        if (ch === '"') break;
        if (ch === "\n") throw new Error(`${where}: raw line feed in a label`);
        if (ch === "\\") {
          const escaped = rest[0];
          rest = rest.slice(1);
          if (escaped === "\\") value += "\\";
          else if (escaped === '"') value += '"';
          else if (escaped === "n") value += "\n";
          else throw new Error(`${where}: bad escape \\${escaped}`);
        } else value += ch;
      }
      labels[label[1]!] = value;
      if (rest.startsWith(",")) rest = rest.slice(1);
      else if (!rest.startsWith("}")) throw new Error(`${where}: expected , or }`);
    }
    rest = rest.slice(1);
  }
  const valueMatch = /^ (\S+)( -?\d+)?$/.exec(rest);
  if (valueMatch === null) throw new Error(`${where}: expected one space and a value`);
  return { name, labels, value: parseValue(valueMatch[1]!, where) };
}

function parseValue(text: string, where: string): number {
  if (text === "NaN") return Number.NaN;
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
    throw new Error(`${where}: not a number: ${text}`);
  }
  return Number(text);
}

function checkHistogram(family: Family): void {
  const bySeries = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const series = bySeries.get(key) ?? { buckets: [] };
    bySeries.set(key, series);
    if (sample.name.endsWith("_bucket")) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      series.buckets.push([parseValue(le, `${family.name} le`), sample.value]);
    } else if (sample.name.endsWith("_sum")) series.sum = sample.value;
    else if (sample.name.endsWith("_count")) series.count = sample.value;
    else throw new Error(`${family.name}: a histogram sample named ${sample.name}`);
  }
  for (const [key, series] of bySeries) {
    const where = `${family.name}${key}`;
    if (series.sum === undefined || series.count === undefined) {
      throw new Error(`${where}: _sum and _count are required`);
    }
    const last = series.buckets[series.buckets.length - 1];
    if (last === undefined || last[0] !== Number.POSITIVE_INFINITY) {
      throw new Error(`${where}: the last bucket must be le="+Inf"`);
    }
    if (last[1] !== series.count) throw new Error(`${where}: +Inf bucket differs from _count`);
    for (let i = 1; i < series.buckets.length; i++) {
      const [le, count] = series.buckets[i]!;
      const [previousLe, previousCount] = series.buckets[i - 1]!;
      if (!(le > previousLe)) throw new Error(`${where}: le bounds must increase`);
      if (count < previousCount) throw new Error(`${where}: buckets must be cumulative`);
    }
  }
}

/** The value of the one sample of `name` whose labels include `labels`. */
export function valueOf(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const family of families.values()) {
    for (const sample of family.samples) {
      if (sample.name !== name) continue;
      if (Object.entries(labels).every(([k, v]) => sample.labels[k] === v)) return sample.value;
    }
  }
  return undefined;
}
