/**
 * The bench service module the svcgen contender and the codec scenario use: the generated
 * one when the runner could produce it (lib/generated.mjs), else the hand-written twin.
 */
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { generatedModule } from "../lib/generated.mjs";

export const source = existsSync(generatedModule) ? "generated" : "hand-written";

const bench = await import(
  source === "generated" ? pathToFileURL(generatedModule).href : "./bench-service.mjs"
);

export const { BenchBase, BenchClient, OrderSchema } = bench;
