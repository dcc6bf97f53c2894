/**
 * What nodes send each other through the backplane (`Backplane.send`): calls to a client's
 * callback, their answers, and releases. JSON text; read defensively, since a mixed-version
 * cluster or a foreign writer could put anything in a node's inbox.
 */
import type { JsonValue } from "../../codec/schema.js";
import type { WireErrorObject } from "../../protocol/errors.js";
import type { CallbackRef } from "../context.js";
import { readRelayMessage, type RelayMessage } from "./relay-messages.js";

/** Call a callback of a connection on the receiving node; `id` is set when awaited. */
export interface CallMessage {
  readonly t: "call";
  readonly id?: number;
  readonly from: string;
  readonly ref: CallbackRef;
  readonly method: string;
  readonly args: JsonValue;
}

/** The answer to an awaited CallMessage. */
export type ReplyMessage =
  | { readonly t: "reply"; readonly id: number; readonly result: JsonValue }
  | {
      readonly t: "reply";
      readonly id: number;
      readonly error: WireErrorObject;
      /** The error is the client's answer, not the holding node's. */
      readonly client?: boolean;
    };

/** A node's implementation released a callback held on the receiving node. */
export interface ReleaseMessage {
  readonly t: "release";
  readonly ref: CallbackRef;
  readonly reason: string;
}

/** Calls, their answers and releases; and the frames of sessions carried across nodes. */
export type NodeMessage = CallMessage | ReplyMessage | ReleaseMessage | RelayMessage;

const idPattern = /^[A-Za-z0-9_.:-]{1,128}$/;
const callbackIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

/** A CallbackRef from anywhere (a database, a message); undefined when it is not one. */
export function readRef(value: unknown): CallbackRef | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { node, connection, callback, type } = value as Record<string, unknown>;
  if (typeof node !== "string" || !idPattern.test(node)) return undefined;
  if (typeof connection !== "string" || !idPattern.test(connection)) return undefined;
  if (typeof callback !== "string" || !callbackIdPattern.test(callback)) return undefined;
  if (typeof type !== "string" || type.length === 0 || type.length > 256) return undefined;
  return { node, connection, callback, type };
}

/** Parses one inbox payload; undefined for anything malformed. */
export function readMessage(payload: string): NodeMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const message = value as Record<string, unknown>;
  switch (message["t"]) {
    case "call": {
      const ref = readRef(message["ref"]);
      const id = message["id"];
      if (ref === undefined || typeof message["method"] !== "string") return undefined;
      if (typeof message["from"] !== "string") return undefined;
      if (id !== undefined && !Number.isSafeInteger(id)) return undefined;
      return message as unknown as CallMessage;
    }
    case "reply": {
      if (!Number.isSafeInteger(message["id"])) return undefined;
      if ("error" in message) {
        const error = message["error"] as Record<string, unknown> | null;
        if (typeof error !== "object" || error === null) return undefined;
        if (typeof error["code"] !== "number" || typeof error["message"] !== "string") {
          return undefined;
        }
      } else if (!("result" in message)) return undefined;
      return message as unknown as ReplyMessage;
    }
    case "release": {
      const ref = readRef(message["ref"]);
      if (ref === undefined || typeof message["reason"] !== "string") return undefined;
      return { t: "release", ref, reason: message["reason"].slice(0, 256) };
    }
    default:
      return readRelayMessage(message);
  }
}
