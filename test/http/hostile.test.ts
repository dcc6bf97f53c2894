import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { post, startServer, type Running } from "./harness.js";

let running: Running;
beforeAll(async () => {
  running = await startServer({ limits: { maxBodyBytes: 64 * 1024 } });
});
afterAll(() => running.close());

/** Writes a raw HTTP request and resolves with the status line of the answer. */
function rawRequest(head: string, writeBody: (socket: import("node:net").Socket) => Promise<void>) {
  return new Promise<{ statusLine: string; bytesWritten: number }>((resolve, reject) => {
    const socket = connect(running.port, "127.0.0.1");
    let received = "";
    let done = false;
    socket.on("error", (error) => {
      if (!done) reject(error);
    });
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      const end = received.indexOf("\r\n");
      if (end >= 0 && !done) {
        done = true;
        const bytesWritten = socket.bytesWritten;
        socket.destroy();
        resolve({ statusLine: received.slice(0, end), bytesWritten });
      }
    });
    socket.write(head);
    writeBody(socket).catch(() => {});
  });
}

describe("hostile bodies", () => {
  test("a 50 MB chunked body is cut at the limit without being read", async () => {
    const fifty = 50 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const { statusLine, bytesWritten } = await rawRequest(
      "POST /shop.Shop/add HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
        "Transfer-Encoding: chunked\r\n\r\n",
      async (socket) => {
        for (let sent = 0; sent < fifty && !socket.destroyed; sent += chunk.length) {
          const more = socket.write(`${chunk.length.toString(16)}\r\n`) && socket.write(chunk);
          socket.write("\r\n");
          if (!more)
            await new Promise((resolve) => socket.once("drain", resolve).once("close", resolve));
        }
      },
    );
    expect(statusLine).toBe("HTTP/1.1 413 Payload Too Large");
    expect(bytesWritten).toBeLessThan(fifty / 2);
  });

  test("a declared length over the limit is refused before reading", async () => {
    const { statusLine } = await rawRequest(
      "POST /shop.Shop/add HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
        `Content-Length: ${50 * 1024 * 1024}\r\n\r\n`,
      async () => {},
    );
    expect(statusLine).toBe("HTTP/1.1 413 Payload Too Large");
  });

  test("413 is a problem document with code -32006", async () => {
    const answer = await post(
      `${running.url}/shop.Shop/add`,
      JSON.stringify({ a: "x".repeat(70_000) }),
    );
    expect(answer.status).toBe(413);
    expect(answer.body.code).toBe(-32006);
  });

  test("invalid UTF-8 is 400, not replaced", async () => {
    const body = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const answer = await post(`${running.url}/shop.Shop/greet`, new Uint8Array(body));
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe(-32700);
  });

  test("deeply nested JSON is refused with 400 and the server keeps serving", async () => {
    const depth = 30_000;
    const arrays = `{"point":${"[".repeat(depth)}${"]".repeat(depth)}}`;
    expect((await post(`${running.url}/shop.Shop/echo`, arrays)).status).toBe(400);
    let tree = '{"value":"1","children":[]}';
    for (let i = 0; i < 2_000; i++) tree = `{"value":"1","children":[${tree}]}`;
    const body = `{"tree":${tree},"color":"Red","shape":{"circle":1},"tags":{}}`;
    const answer = await post(`${running.url}/shop.Shop/describe`, body);
    expect([200, 400]).toContain(answer.status);
    expect((await post(`${running.url}/shop.Shop/add`, { a: 1, b: 2 })).body).toBe(3);
  });

  test("__proto__ keys neither pollute nor leak", async () => {
    const body =
      '{"__proto__":{"polluted":1},"point":{"x":1,"y":2,"__proto__":{"polluted":2},' +
      '"constructor":{"prototype":{"polluted":3}}}}';
    const answer = await post(`${running.url}/shop.Shop/echo`, body);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ x: 1, y: 2 });
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  test("wrong JSON shapes for params are 400", async () => {
    for (const body of ["42", '"text"', "true"]) {
      const answer = await post(`${running.url}/shop.Shop/add`, body);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe(-32602);
    }
  });

  test("a compressed body is 415, not a parse error", async () => {
    const answer = await post(`${running.url}/shop.Shop/add`, "{}", {
      "content-type": "application/json",
      "content-encoding": "gzip",
    });
    expect(answer.status).toBe(415);
  });

  test("a body without content type is 415", async () => {
    const answer = await post(`${running.url}/shop.Shop/add`, "{}", {});
    // fetch labels a string body text/plain; either way it is not JSON.
    expect(answer.status).toBe(415);
  });
});
