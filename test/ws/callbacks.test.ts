/** Callback proxies: oneway pushes, awaited answers, errors, timeouts, identity, release. */
import { afterEach, describe, expect, test } from "@jest/globals";
import {
  CallbackGroup,
  RpcError,
  connectWebSocket,
  type WebSocketConnection,
} from "@svcgen/runtime";
import { startServer, until, type Running } from "./harness.js";
import { LabDescriptor, type Probe } from "./services.js";

let running: Running | undefined;
let connection: WebSocketConnection | undefined;

afterEach(async () => {
  await connection?.close();
  await running?.close();
  connection = running = undefined;
});

async function setUp(options: Parameters<typeof startServer>[0] = {}) {
  running = await startServer(options);
  connection = await connectWebSocket(running.wsUrl, { reconnect: false });
  return { lab: running.lab, connection };
}

function lab<R>(method: string, ...args: unknown[]): Promise<R> {
  return connection!.call<R>(LabDescriptor, method, args);
}

class Recorder implements Probe {
  readonly items: number[] = [];
  answers: (question: string) => string | Promise<string> = (q) => `re:${q}`;
  item(n: number): void {
    this.items.push(n);
  }
  blob(): void {}
  answer(question: string): string | Promise<string> {
    return this.answers(question);
  }
}

describe("callbacks", () => {
  test("10,000 oneway pushes arrive in order, without waiting for the client", async () => {
    await setUp();
    const probe = new Recorder();
    expect(await lab("push", probe, 10_000)).toBe(10_000);
    await until(() => probe.items.length === 10_000);
    expect(probe.items.every((n, i) => n === i)).toBe(true);
  });

  test("an awaited callback returns the client's value", async () => {
    await setUp();
    expect(await lab("ask", new Recorder(), "why")).toBe("ok:re:why");
  });

  test("an awaited callback that throws reaches the server as an RpcError", async () => {
    await setUp();
    const probe = new Recorder();
    probe.answers = () => {
      throw new Error("no idea");
    };
    expect(await lab("ask", probe, "why")).toBe("error:true:-32603:no idea");
    probe.answers = () => Promise.reject(new RpcError(-32005, "not you"));
    expect(await lab("ask", probe, "why")).toBe("error:true:-32005:not you");
  });

  test("an unanswered awaited callback times out with -32003", async () => {
    await setUp({ callbackTimeoutMs: 100 });
    const probe = new Recorder();
    probe.answers = () => new Promise<string>(() => undefined);
    expect(await lab("ask", probe, "why")).toMatch(/^error:true:-32003:/);
  });

  test("the same client object is the same proxy on the server", async () => {
    const { lab: impl } = await setUp();
    const [one, two] = [new Recorder(), new Recorder()];
    await lab("hold", one);
    await lab("hold", one);
    await lab("hold", two);
    expect(impl.held[0]).toBe(impl.held[1]);
    expect(impl.held[0]).not.toBe(impl.held[2]);
    expect(impl.held[0]!.id).not.toBe(impl.held[2]!.id);
  });

  test("a server-side release tells the client, runs listeners once, fails later calls", async () => {
    const { lab: impl } = await setUp();
    const probe = new Recorder();
    const released: [object, string][] = [];
    connection!.on("released", (object, reason) => released.push([object, reason]));
    await lab("hold", probe);
    const proxy = impl.held[0]!;
    await lab("dismiss", probe, "done with you");
    expect(proxy.released).toBe(true);
    expect(impl.releases).toEqual(["done with you"]);
    proxy.release("again"); // no second run of the listeners
    expect(impl.releases).toEqual(["done with you"]);
    // Fire and forget: a oneway call is dropped (false), never a rejection nobody hears.
    await expect(proxy.item(1)).resolves.toBe(false);
    await expect(proxy.answer("x")).rejects.toMatchObject({ code: -32001 });
    await until(() => released.length === 1);
    expect(released[0]).toEqual([probe, "done with you"]);
    // A listener added after release still runs, once.
    const late = await new Promise<string>((resolve) => proxy.onRelease(resolve));
    expect(late).toBe("done with you");
  });

  test("a pending awaited call fails when its callback is released, and on disconnect", async () => {
    const { lab: impl } = await setUp();
    const probe = new Recorder();
    probe.answers = () => new Promise<string>(() => undefined);
    await lab("hold", probe);
    const proxy = impl.held[0]!;
    const pending = proxy.answer("anyone?");
    proxy.release("bye");
    await expect(pending).rejects.toMatchObject({ code: -32001 });

    const other = new Recorder();
    other.answers = () => new Promise<string>(() => undefined);
    await lab("hold", other);
    const second = impl.held[1]!;
    const waiting = second.answer("still there?").catch((error: unknown) => error);
    const reason = impl.nextRelease();
    await connection!.close();
    expect(await waiting).toMatchObject({ code: -32007 });
    expect(await reason).toBe("disconnected");
  });

  test("a CallbackGroup counts, iterates, drops released members and broadcasts oneway only", async () => {
    const { lab: impl } = await setUp();
    const probes = [new Recorder(), new Recorder(), new Recorder()];
    for (const probe of probes) await lab("hold", probe);
    const group = new CallbackGroup<Probe>();
    for (const proxy of impl.held) group.add(proxy);
    group.add(impl.held[0]!); // already a member
    expect(group.size).toBe(3);
    expect([...group]).toEqual(impl.held);

    expect(group.broadcast.item(7)).toBe(3);
    await until(() => probes.every((p) => p.items.includes(7)));

    expect(group.delete(impl.held[2]!)).toBe(true);
    expect(group.has(impl.held[2]!)).toBe(false);
    connection!.release(probes[1]!);
    await until(() => impl.releases.length === 1);
    expect(group.size).toBe(1);
    expect(group.broadcast.item(8)).toBe(1);
    await until(() => probes[0]!.items.includes(8));
    expect(probes[1]!.items).toEqual([7]);
    expect(() => group.broadcast.answer("?")).toThrow(TypeError);
  });
});
