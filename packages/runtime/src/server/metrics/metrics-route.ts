/**
 * `GET {base}/metrics`: the server's stats in the Prometheus text format. Authenticated like
 * every route (the router did that before this runs), then asked of `metrics.allow`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode } from "../../protocol/codes.js";
import { problemFromCode } from "../../protocol/problem.js";
import type { MountedRoute } from "../mounted-routes.js";
import type { ResolvedMetricsOptions } from "../options.js";
import { sendFailure } from "../http-env.js";
import { sendProblem } from "../respond.js";
import { prometheusContentType, prometheusText } from "./prometheus.js";
import type { ServerStats } from "./server-stats.js";

/** What the route reads from its server. */
export interface MetricsSource {
  stats(): ServerStats;
  /** Members of the named group on every node. */
  clusterSize(group: string): Promise<number>;
}

export function metricsRoute(options: ResolvedMetricsOptions, source: MetricsSource): MountedRoute {
  return {
    handle: (env, req, res, _path, principal) =>
      scrape(options, source, req, res, principal).catch((error: unknown) =>
        sendFailure(env, res, error),
      ),
  };
}

async function scrape(
  options: ResolvedMetricsOptions,
  source: MetricsSource,
  req: IncomingMessage,
  res: ServerResponse,
  principal: unknown,
): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    const problem = problemFromCode(ErrorCode.InvalidRequest, "Use GET", 405);
    return sendProblem(res, problem, { allow: "GET, HEAD" });
  }
  if (options.allow !== undefined && !(await allowed(options.allow, req, principal))) {
    return sendProblem(res, problemFromCode(ErrorCode.Forbidden, "Forbidden", 403));
  }
  const stats = source.stats();
  const clusterMembers = options.groups ? await clusterSizes(source, stats) : undefined;
  const body = prometheusText(stats, clusterMembers);
  if (res.headersSent || res.destroyed) return;
  res.writeHead(200, {
    "content-type": prometheusContentType,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** The `allow` hook's verdict; one that throws refuses, like one that says `false`. */
async function allowed(
  allow: NonNullable<ResolvedMetricsOptions["allow"]>,
  req: IncomingMessage,
  principal: unknown,
): Promise<boolean> {
  try {
    return (await allow(req, principal)) === true;
  } catch {
    return false;
  }
}

/** Cluster-wide member counts; a group whose count the backplane cannot give is left out. */
async function clusterSizes(
  source: MetricsSource,
  stats: ServerStats,
): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  await Promise.all(
    stats.groups.map((group) =>
      source.clusterSize(group.name).then(
        (size) => void sizes.set(group.name, size),
        () => undefined,
      ),
    ),
  );
  return sizes;
}
