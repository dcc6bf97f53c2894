/**
 * Answers (or a batch of them) as one frame of an encoding. An answer that cannot be
 * encoded (too deep, or holding a value with no form) becomes -32603 for its id, so that
 * answering never fails: `unencodable` counts those, for the caller to log.
 */
import { encodeResponses, errorResponse, type JsonRpcResponse } from "../protocol/jsonrpc.js";
import { ErrorCode } from "../protocol/codes.js";
import type { WireEncoding } from "./types.js";
import { encodeMsgpack } from "./msgpack-encode.js";

export interface EncodedAnswers {
  readonly frame: string | Uint8Array;
  readonly unencodable: number;
}

export function encodeAnswers(
  encoding: WireEncoding,
  message: JsonRpcResponse | readonly JsonRpcResponse[],
): EncodedAnswers {
  const { maxDepth } = encoding.limits;
  if (encoding.frameType === "text") {
    const { text, unencodable } = encodeResponses(message, maxDepth);
    return { frame: text, unencodable };
  }
  try {
    return { frame: encoding.encode(message), unencodable: 0 };
  } catch {
    if (!Array.isArray(message)) {
      return { frame: encoding.encode(internalError(message as JsonRpcResponse)), unencodable: 1 };
    }
    let unencodable = 0;
    const members = message.map((answer) => {
      try {
        // Inside the batch array: one level less for the member.
        encodeMsgpack(answer, maxDepth - 1);
        return answer;
      } catch {
        unencodable++;
        return internalError(answer);
      }
    });
    return { frame: encoding.encode(members), unencodable };
  }
}

function internalError(answer: JsonRpcResponse): JsonRpcResponse {
  return errorResponse(answer.id, { code: ErrorCode.InternalError, message: "Internal error" });
}
