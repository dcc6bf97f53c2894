/**
 * The bounded soak: 100 WebSocket clients in a room with a CallbackGroup, a quarter cut
 * abruptly while broadcasts run (the full one is `npm run soak`: 1,000 clients and a heap
 * check). Same code as the full run, over the runtime's sources.
 */
import { expect, test } from "@jest/globals";
import * as runtime from "@svcgen/runtime";
import { runSoak, violations } from "../../scripts/soak/run-soak.mjs";

test("killed clients are released once with 'disconnected', live ones miss nothing, nothing is left", async () => {
  const figures = await runSoak(runtime, { clients: 100, warmupClients: 10, messages: 30 });
  expect(violations(figures)).toEqual([]);
  expect(figures).toMatchObject({
    clients: 100,
    joined: 100,
    killed: 25,
    killedReleasedOnceDisconnected: 25,
    releasesSeen: 100,
    lost: 0,
    outOfOrder: 0,
    connectionsAfter: 0,
  });
  // ~5 s alone; 90 s leaves room for the whole suite running beside it on two cores.
}, 90_000);
