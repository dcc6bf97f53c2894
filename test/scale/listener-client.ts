/**
 * A raw WebSocket client of the feed: joins groups with callback id "l1", records every
 * `item` it is sent and every `$/released`, and answers `answer` requests itself.
 */
import { RawClient, until } from "../support/raw-clients.js";

export class ListenerClient {
  readonly raw: RawClient;
  #nextId = 1;
  /** How `answer(question)` is answered; a string result or a JSON-RPC error object. */
  answer: (question: string) => { result: string } | { error: object } | undefined = (q) => ({
    result: `answer to ${q}`,
  });

  constructor(url: string) {
    this.raw = new RawClient(url);
    this.raw.socket.on("message", (data) => {
      const message = JSON.parse(data.toString());
      if (message.method === "$/callback" && message.id !== undefined) {
        const reply = this.answer(message.params.args.question);
        if (reply !== undefined) this.raw.send({ jsonrpc: "2.0", id: message.id, ...reply });
      }
    });
  }

  static async open(url: string): Promise<ListenerClient> {
    const client = new ListenerClient(url);
    await client.raw.opened;
    return client;
  }

  /** Calls a Feed method; resolves with its result, rejects with its error. */
  async call(method: string, params: object): Promise<any> {
    const answer = await this.raw.request(this.#nextId++, `scale.Feed.${method}`, params);
    if ("error" in answer) throw Object.assign(new Error(answer.error.message), answer.error);
    return answer.result;
  }

  /** Joins `group` with the callback "l1"; resolves with the callback's ref (JSON text). */
  join(group: string, callback = "l1"): Promise<string> {
    return this.call("join", { group, listener: callback });
  }

  /** Hands the server the callback without joining a group; resolves with its ref. */
  hold(callback = "l1"): Promise<string> {
    return this.call("hold", { listener: callback });
  }

  /** The `n` of every `item` received, in order. */
  items(callback = "l1"): number[] {
    return this.raw.messages
      .filter((m) => m.method === "$/callback" && m.params.callback === callback)
      .filter((m) => m.params.method === "item")
      .map((m) => m.params.args.n);
  }

  /** The reasons of every `$/released` received. */
  releases(): string[] {
    return this.raw.messages.filter((m) => m.method === "$/released").map((m) => m.params.reason);
  }

  async waitForItems(count: number, limitMs = 10_000): Promise<number[]> {
    await until(() => this.items().length >= count, limitMs);
    return this.items();
  }

  close(): Promise<void> {
    return this.raw.close();
  }
}
