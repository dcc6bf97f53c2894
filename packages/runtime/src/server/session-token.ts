/**
 * Session tokens: `<id>.<secret>`, 128 random bits each, and in a cluster `.<node>` after
 * them, naming the node that holds the session so that any node can tell where to resume
 * it without a lookup. Only a hash of the secret is kept; the node part is not secret (it
 * is in every CallbackRef too), and a token naming another node proves nothing there: that
 * node checks the secret.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export interface IssuedToken {
  readonly id: string;
  readonly token: string;
  /** SHA-256 of the secret, base64: a string of 44 characters costs a third of a Buffer's heap. */
  readonly secretHash: string;
}

export interface ParsedToken {
  readonly id: string;
  readonly secret: string;
  /** The node holding the session; absent in the tokens of a server without a backplane. */
  readonly node?: string;
}

function hashSecret(secret: string): Buffer {
  return createHash("sha256").update(secret).digest();
}

/** A new session's id and token; `node` is set in a cluster. */
export function issueToken(node: string | undefined): IssuedToken {
  const id = randomBytes(16).toString("base64url");
  const secret = randomBytes(16).toString("base64url");
  const token = node === undefined ? `${id}.${secret}` : `${id}.${secret}.${node}`;
  return { id, token, secretHash: hashSecret(secret).toString("base64") };
}

/** The parts of a token as a client sent it (nothing is verified here). */
export function parseToken(token: string): ParsedToken {
  const first = token.indexOf(".");
  if (first < 0) return { id: token, secret: "" };
  const second = token.indexOf(".", first + 1);
  const id = token.slice(0, first);
  if (second < 0) return { id, secret: token.slice(first + 1) };
  const node = token.slice(second + 1);
  return { id, secret: token.slice(first + 1, second), ...(node !== "" && { node }) };
}

/** Whether `secret` is the one whose hash is `secretHash` (in constant time). */
export function secretMatches(secret: string, secretHash: string): boolean {
  return secret !== "" && timingSafeEqual(hashSecret(secret), Buffer.from(secretHash, "base64"));
}
