/**
 * docs/operations.md stays true: every metric family it names is in a real scrape, and its
 * YAML examples (alerting rules, Prometheus scrape, OpenTelemetry collector) parse, with
 * every pipeline naming components the collector configuration declares.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { load } from "js-yaml";
import { RpcServer, connectWebSocket } from "@svcgen/runtime";
import { parsePrometheusText } from "../support/prometheus-text.js";
import { Desk, DeskDescriptor } from "./services.js";

const doc = await readFile(new URL("../../docs/operations.md", import.meta.url), "utf8");
const yamlBlocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => load(m[1]!) as any);

let server: RpcServer;
let scrape = "";

beforeAll(async () => {
  server = new RpcServer({ logger: false, metrics: { groups: true } });
  server.register(new Desk(server));
  const { url } = await server.listen();
  const client = await connectWebSocket(`${url.replace(/^http/, "ws")}/ws`, { reconnect: false });
  await client.call(DeskDescriptor, "watch", [{ tick() {}, confirm: () => true }, 1, "room"]);
  scrape = await (await fetch(`${url}/metrics`)).text();
  await client.close();
});

afterAll(() => server.close());

test("every svcgen_ family the page names is in a scrape", () => {
  const families = parsePrometheusText(scrape);
  const named = new Set(doc.match(/svcgen_[a-z_]+/g));
  expect(named.size).toBeGreaterThan(15);
  for (const name of named) {
    const family = name.replace(/_(bucket|sum|count)$/, "");
    expect([name, families.has(name) || families.get(family)?.type === "histogram"]).toEqual([
      name,
      true,
    ]);
  }
});

test("the YAML examples parse, and the collector's pipelines use declared components", () => {
  expect(yamlBlocks).toHaveLength(3);
  const [rules, prometheus, collector] = yamlBlocks;
  expect(rules.groups[0].rules.every((r: any) => typeof r.expr === "string")).toBe(true);
  expect(prometheus.scrape_configs[0].metrics_path).toBe("/metrics");
  for (const pipeline of Object.values(collector.service.pipelines) as any[]) {
    for (const kind of ["receivers", "processors", "exporters"]) {
      for (const component of pipeline[kind])
        expect(Object.keys(collector[kind])).toContain(component);
    }
  }
  expect(collector.receivers.prometheus.config.scrape_configs[0].metrics_path).toBe("/metrics");
});
