/**
 * connectHttp against a server that answers with JSON nested far past the stack's depth:
 * each call fails at once with -32602, and the client's process carries on.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { ErrorCode, connectHttp, defineService, t, type JsonValue } from "@svcgen/runtime";

const EvilDescriptor = defineService<{ get(): Promise<JsonValue> }>({
  name: "evil.Evil",
  contractHash: "f".repeat(64),
  methods: [{ name: "get", params: [], returns: t.json }],
});

let depth = 0;
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    const status = req.headers["x-status"] === "400" ? 400 : 200;
    const deep = "[".repeat(depth) + "]".repeat(depth);
    const body = status === 200 ? deep : `{"status":400,"code":-32602,"data":${deep}}`;
    res.writeHead(status, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

test.each([101, 2_500, 100_000, 1_000_000])(
  "an answer or a problem %i levels deep fails the call with -32602",
  async (levels) => {
    depth = levels;
    const plain = connectHttp(url);
    await expect(plain.call(EvilDescriptor, "get", [])).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
    });
    const problem = connectHttp(url, { headers: { "x-status": "400" } });
    await expect(problem.call(EvilDescriptor, "get", [])).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
    });
    await plain.close();
    await problem.close();
  },
);

test("within the limit the answer is read", async () => {
  depth = 100;
  const connection = connectHttp(url);
  let expected: JsonValue = [];
  for (let i = 1; i < 100; i++) expected = [expected];
  await expect(connection.call(EvilDescriptor, "get", [])).resolves.toEqual(expected);
  await connection.close();
});
