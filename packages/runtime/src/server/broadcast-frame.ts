/**
 * The frames of one broadcast: the `$/callback` message of every member differs only in its
 * callback id, so the arguments are encoded once per broadcast and each member's frame is
 * the shared bytes copied around its id. A member on `svc.msgpack` gets the MessagePack form,
 * made on first use from the same arguments (most broadcasts reach JSON members only).
 */
import type { WireFlavor } from "../codec/flavor.js";
import type { JsonValue } from "../codec/schema.js";
import type { MethodDescriptor } from "../descriptors.js";
import { encodeMsgpack } from "../encoding/msgpack-encode.js";
import { stringifyJson } from "../protocol/json-text.js";
import { encodeCallbackArgs, reflavorArgs } from "./callback-codec.js";
import { conflationSuffix } from "./conflation-key.js";

interface Pieces {
  readonly prefix: Uint8Array;
  readonly suffix: Uint8Array;
}

const jsonPrefix = Buffer.from('{"jsonrpc":"2.0","method":"$/callback","params":{"callback":"');

/**
 * `{"jsonrpc":"2.0","method":"$/callback","params":{"callback":` as MessagePack: a map of 3,
 * the last member a map of 3 whose first value (the id) follows.
 */
const msgpackPrefix = concat([
  Uint8Array.of(0x83),
  encodeMsgpack("jsonrpc", 1),
  encodeMsgpack("2.0", 1),
  encodeMsgpack("method", 1),
  encodeMsgpack("$/callback", 1),
  encodeMsgpack("params", 1),
  Uint8Array.of(0x83),
  encodeMsgpack("callback", 1),
]);

export class BroadcastFrame {
  /** For `@conflate` methods: the conflation key without the member's callback id. */
  readonly conflation: string | undefined;
  readonly #method: MethodDescriptor;
  readonly #maxDepth: number;
  readonly #json: Pieces;
  /** The arguments as MessagePack-flavored values, when asked for. */
  readonly #msgpackArgs: () => JsonValue;
  /** null once making them failed (logged by the caller; those members are skipped). */
  #msgpack: Pieces | null | undefined;

  constructor(
    method: MethodDescriptor,
    argsJson: string,
    maxDepth: number,
    msgpackArgs: () => JsonValue,
    conflation?: string,
  ) {
    this.#method = method;
    this.#maxDepth = maxDepth;
    this.#msgpackArgs = msgpackArgs;
    this.conflation = conflation;
    this.#json = {
      prefix: jsonPrefix,
      suffix: Buffer.from(`","method":${JSON.stringify(method.name)},"args":${argsJson}}}`),
    };
  }

  /** The callback method's name. */
  get method(): string {
    return this.#method.name;
  }

  /**
   * One member's frame in its connection's flavor; undefined when the arguments have no
   * MessagePack form (they did have a JSON one: a value the MessagePack encoder refuses).
   */
  frameFor(id: string, flavor: WireFlavor): Uint8Array | undefined {
    if (flavor === "json") {
      // Ids match ^[A-Za-z0-9_-]{1,64}$: ASCII with nothing to escape, valid JSON text.
      return around(this.#json, id, 0);
    }
    const pieces = this.#msgpackPieces();
    if (pieces === null) return undefined;
    // The id as str: fixstr up to 31 bytes, str 8 beyond (ids are at most 64).
    return around(pieces, id, id.length < 32 ? 1 : 2);
  }

  #msgpackPieces(): Pieces | null {
    if (this.#msgpack !== undefined) return this.#msgpack;
    try {
      // `args` sits two levels down in the frame: `{"params":{"args":...}}`.
      const args = encodeMsgpack(this.#msgpackArgs(), this.#maxDepth - 2);
      const suffix = concat([
        encodeMsgpack("method", 1),
        encodeMsgpack(this.#method.name, 1),
        encodeMsgpack("args", 1),
        args,
      ]);
      this.#msgpack = { prefix: msgpackPrefix, suffix };
    } catch {
      this.#msgpack = null;
    }
    return this.#msgpack;
  }
}

/**
 * A local broadcast: the arguments are encoded (schema, JSON, UTF-8) once, not once per
 * member. Throws when they do not fit their types or the frame's nesting limit.
 */
export function broadcastFrame(
  method: MethodDescriptor,
  args: readonly unknown[],
  maxDepth: number,
): BroadcastFrame {
  const encoded: JsonValue = encodeCallbackArgs(method, args);
  // `args` sits two levels down in the frame: `{"params":{"args":...}}`.
  const json = stringifyJson(encoded, maxDepth - 2);
  return new BroadcastFrame(
    method,
    json,
    maxDepth,
    () => encodeCallbackArgs(method, args, "msgpack"),
    conflationSuffix(method, encoded),
  );
}

/** A broadcast's `args` as JSON text, within the nesting limit of the frame around them. */
export function argsJson(
  method: MethodDescriptor,
  args: readonly unknown[],
  maxDepth: number,
): string {
  // `args` sits two levels down in the frame: `{"params":{"args":...}}`.
  return stringifyJson(encodeCallbackArgs(method, args), maxDepth - 2);
}

/** The frames of arguments that are JSON text already (a broadcast from another node). */
export function broadcastFrameOfJson(
  method: MethodDescriptor,
  json: string,
  maxDepth: number,
): BroadcastFrame {
  return new BroadcastFrame(method, json, maxDepth, () =>
    reflavorArgs(method, JSON.parse(json) as JsonValue, "json", "msgpack"),
  );
}

/** The pieces copied around an id, with a MessagePack str header of `header` bytes. */
function around(pieces: Pieces, id: string, header: 0 | 1 | 2): Buffer {
  const { prefix, suffix } = pieces;
  const frame = Buffer.allocUnsafe(prefix.length + header + id.length + suffix.length);
  frame.set(prefix, 0);
  let at = prefix.length;
  if (header === 1) frame[at++] = 0xa0 | id.length;
  else if (header === 2) {
    frame[at++] = 0xd9;
    frame[at++] = id.length;
  }
  frame.write(id, at, "latin1");
  frame.set(suffix, at + id.length);
  return frame;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const joined = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}
