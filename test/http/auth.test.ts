import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { ErrorCode, RpcError } from "@svcgen/runtime";
import { post, startServer, type Running } from "./harness.js";

let running: Running;
beforeAll(async () => {
  running = await startServer({
    async authenticate(req) {
      const token = req.headers.authorization;
      await Promise.resolve(); // a real one would ask a token store
      if (token === "Bearer expired")
        throw new RpcError(ErrorCode.Unauthenticated, "token expired");
      if (token === "Bearer banned") throw new RpcError(ErrorCode.Forbidden, "banned");
      if (token === "Bearer broken") throw new Error("token store down");
      return token === "Bearer good" ? { user: "ann" } : undefined;
    },
    // Ann may do anything but reset.
    authorize: (ctx, method) => method.name !== "reset" && ctx.transport === "http",
  });
});
afterAll(() => running.close());

const as = (token: string | undefined) => ({
  "content-type": "application/json",
  ...(token ? { authorization: `Bearer ${token}` } : {}),
});

describe("authentication and authorization", () => {
  test("REST: missing or bad credentials 401, forbidden 403, good ones reach ctx.principal", async () => {
    const url = `${running.url}/shop.Shop/whoami`;
    expect((await post(url, {}, as(undefined))).status).toBe(401);
    expect((await post(url, {}, as("wrong"))).body).toMatchObject({ status: 401, code: -32004 });
    const broken = await post(url, {}, as("broken"));
    expect(broken.status).toBe(401);
    expect(JSON.stringify(broken.body)).not.toContain("token store");
    expect((await post(url, {}, as("expired"))).body.detail).toBe("token expired");
    expect((await post(url, {}, as("banned"))).body).toMatchObject({ status: 403, code: -32005 });
    const ok = await post(url, {}, as("good"));
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ user: "ann" });
  });

  test("REST: authorize refusing a method is 403", async () => {
    const answer = await post(`${running.url}/shop.Shop/reset`, {}, as("good"));
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe(-32005);
  });

  test("/rpc: 401 and 403 with JSON-RPC error bodies", async () => {
    const body = { jsonrpc: "2.0", id: 1, method: "shop.Shop.whoami" };
    const anonymous = await post(`${running.url}/rpc`, body, as(undefined));
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe(-32004);
    const banned = await post(`${running.url}/rpc`, body, as("banned"));
    expect(banned.status).toBe(403);
    expect(banned.body.error.code).toBe(-32005);
    const reset = await post(
      `${running.url}/rpc`,
      { ...body, method: "shop.Shop.reset" },
      as("good"),
    );
    expect(reset.body.error.code).toBe(-32005);
    expect((await post(`${running.url}/rpc`, body, as("good"))).body.result).toEqual({
      user: "ann",
    });
  });
});
