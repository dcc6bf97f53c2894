/**
 * README.md's "A ten-line tour" with a client that leaves mid-work: the server keeps
 * pushing progress to a callback that is gone. Those oneway calls are dropped, so the
 * server's process (its own, with Node's default rules) stays up and serves the next client.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { connectWebSocket } from "@svcgen/runtime";
import { JobServiceDescriptor } from "./tour/descriptors.js";

let child: ChildProcess;
let url: string;
let stderr = "";
let exited: Promise<number | null>;

beforeAll(async () => {
  const script = fileURLToPath(new URL("./tour/server.mjs", import.meta.url));
  child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "pipe"] });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    void exited.then((code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
});

afterAll(async () => {
  if (child.exitCode === null) child.kill();
  await exited;
});

/** Runs the tour's client; resolves with the percentages it heard. */
async function tour(leaveEarly: boolean): Promise<number[]> {
  const connection = await connectWebSocket(`${url.replace("http", "ws")}/ws`, {
    reconnect: false,
  });
  const heard: number[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const events = {
    progress: (_id: string, percent: number) => {
      heard.push(percent);
      if (percent === 100) done();
    },
  };
  await connection.call(JobServiceDescriptor, "start", ["build", events]);
  if (!leaveEarly) {
    // Bounded by the server's own end: if it dies, this client hears no more.
    await Promise.race([finished, exited]);
  }
  await connection.close();
  return heard;
}

test("a client leaving mid-work does not end the server; the next one gets every message", async () => {
  const left = await tour(true);
  expect(left.length).toBeLessThan(5);
  // The next client's work outlasts every push to the one that left (1 s of timers).
  const second = await tour(false);
  expect({ exitCode: child.exitCode, stderr }).toEqual({ exitCode: null, stderr: "" });
  expect(second).toEqual([0, 25, 50, 75, 100]);
});
