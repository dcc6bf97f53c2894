/**
 * Generated code against a real server and real clients: hostile method and parameter
 * names are escaped in TypeScript and arrive under their IDL names; a callback-taking
 * method refuses to run over HTTP with a message that says why.
 */
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { connectHttp, connectWebSocket, RpcServer } from "@svcgen/runtime";
import type { CallbackProxy, WebSocketConnection } from "@svcgen/runtime";
import { EverythingBase, EverythingClient } from "../../generated/features/everything.js";
import type {
  Expr,
  Payload,
  Sample,
  TreeNode,
  Watcher,
} from "../../generated/features/everything.js";
import type { JsonValue } from "@svcgen/runtime";

class Everything extends EverythingBase {
  override echo(sample: Sample): Sample {
    return sample;
  }
  override find(): Payload[] {
    return [];
  }
  override ping(): void {}
  override async watch(
    prefix: string,
    watcher: CallbackProxy<Watcher>,
    _tree: TreeNode | undefined,
  ): Promise<string> {
    await watcher.delete(`${prefix}-ctor`, "proto");
    return "watching";
  }
  override compare(): Record<string, Expr> {
    return {};
  }
  override evaluate(): number {
    return 0;
  }
  override raw(): JsonValue {
    return null;
  }
  override oldEcho(sample: Sample): Sample {
    return sample;
  }
  override ["constructor"](delete_: string, class_: number | undefined): string {
    return `constructor(${delete_}, ${class_})`;
  }
  override __proto__(prototype: string): string {
    return `__proto__(${prototype})`;
  }
  override toString(): string {
    return "toString()";
  }
}

let server: RpcServer;
let url: string;
let connection: WebSocketConnection;

beforeAll(async () => {
  server = new RpcServer();
  // A shared instance: found through the prototype chain although `constructor` is an IDL method.
  server.register(new Everything());
  ({ url } = await server.listen());
  connection = await connectWebSocket(`${url.replace(/^http/, "ws")}/ws`, { reconnect: false });
});

afterAll(async () => {
  await connection?.close();
  await server?.close();
});

test("methods named constructor, __proto__ and toString are called by their IDL names", async () => {
  const client = new EverythingClient(connection);
  expect(await client.constructor("d", 7)).toBe("constructor(d, 7)");
  expect(await client.constructor("d")).toBe("constructor(d, undefined)");
  expect(await client.__proto__("p")).toBe("__proto__(p)");
  expect(await client.toString()).toBe("toString()");
});

test("a callback method named delete receives its hostile parameters", async () => {
  const client = new EverythingClient(connection);
  const received: [string, string | undefined][] = [];
  const watcher: Watcher = {
    changed() {},
    approve: () => true,
    flush() {},
    delete(constructor, __proto__) {
      received.push([constructor, __proto__]);
    },
  };
  expect(await client.watch("w", watcher)).toBe("watching");
  connection.release(watcher);
  expect(received).toEqual([["w-ctor", "proto"]]);
});

test("over HTTP, the same client calls plain methods and refuses callback ones clearly", async () => {
  const http = connectHttp(url);
  try {
    const client = new EverythingClient(http);
    expect(await client.toString()).toBe("toString()");
    const watcher: Watcher = { changed() {}, approve: () => true, flush() {}, delete() {} };
    await expect(client.watch("w", watcher)).rejects.toThrow(/WebSocket/);
  } finally {
    await http.close();
  }
});
