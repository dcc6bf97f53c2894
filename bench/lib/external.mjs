/** Runs a benchmark script of its own and reads the JSON object on its last output line. */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";

export async function runExternal(script, { quick, timeoutMs }) {
  if (!existsSync(script)) return { unavailable: `${basename(script)} not written yet` };
  // A script that knows no --json prints no result to read: skip it rather than wait for it.
  if (!readFileSync(script, "utf8").includes("--json")) {
    return { unavailable: `${basename(script)} has no --json output yet` };
  }
  const args = [script, "--json", ...(quick ? ["--quick"] : [])];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk) => (output += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const code = await new Promise((resolve) => child.once("close", resolve));
  clearTimeout(timer);
  if (timedOut) throw new Error(`${basename(script)} took longer than ${timeoutMs / 1000} s`);
  if (code !== 0) throw new Error(`${basename(script)} exited with ${code}`);
  const parsed = lastJsonObject(output);
  if (!parsed) throw new Error(`${basename(script)} printed no JSON result`);
  const measured = valueOf(parsed);
  if (!measured) throw new Error(`${basename(script)}: no value in ${JSON.stringify(parsed)}`);
  return { ...measured, extra: numericEntries(parsed.extra ?? parsed) };
}

/** The JSON object that ends the output: one line, or pretty-printed over several. */
function lastJsonObject(output) {
  const lines = output.trimEnd().split("\n");
  for (let start = lines.length - 1; start >= 0; start--) {
    if (!lines[start].startsWith("{")) continue;
    try {
      return JSON.parse(lines.slice(start).join("\n"));
    } catch {
      // Not the start of the final object; look further up.
    }
  }
  return undefined;
}

/** `value` when given; else throughput in lines/s from `lines` and `totalMs`. */
function valueOf(parsed) {
  if (typeof parsed.value === "number") return { value: parsed.value, unit: parsed.unit };
  if (
    typeof parsed.lines === "number" &&
    typeof parsed.totalMs === "number" &&
    parsed.totalMs > 0
  ) {
    return { value: parsed.lines / (parsed.totalMs / 1000), unit: "lines/s" };
  }
  return undefined;
}

function numericEntries(extra) {
  if (!extra || typeof extra !== "object") return undefined;
  return Object.fromEntries(
    Object.entries(extra).filter(([key, value]) => typeof value === "number" && key !== "value"),
  );
}
