/** The connect-time contract check: do the server's services hash like the client's? */
import type { ServiceDescriptor } from "../descriptors.js";

export interface ContractMismatch {
  /** Wire name of the service, e.g. `chat.ChatRoom`. */
  readonly service: string;
  /** The client's contract hash. */
  readonly expected: string;
  /** The server's, or undefined when the server does not serve it at all. */
  readonly actual: string | undefined;
}

/** A connect rejected because client and server were built from different IDL. */
export class ContractMismatchError extends Error {
  readonly mismatches: readonly ContractMismatch[];

  constructor(mismatches: readonly ContractMismatch[]) {
    super(
      `contract mismatch: ${mismatches
        .map((m) => (m.actual === undefined ? `${m.service} (not served)` : m.service))
        .join(", ")}`,
    );
    this.name = "ContractMismatchError";
    this.mismatches = mismatches;
  }
}

/** Compares the `$/contract` answer (`{ services: { name: hash } }`) with the descriptors. */
export function compareContracts(
  expected: readonly ServiceDescriptor<any>[],
  answer: unknown,
): ContractMismatch[] {
  const services =
    typeof answer === "object" && answer !== null
      ? (answer as { services?: unknown }).services
      : undefined;
  const served = typeof services === "object" && services !== null ? services : {};
  const mismatches: ContractMismatch[] = [];
  for (const descriptor of expected) {
    const actual = Object.hasOwn(served, descriptor.name)
      ? (served as Record<string, unknown>)[descriptor.name]
      : undefined;
    if (actual !== descriptor.contractHash) {
      mismatches.push({
        service: descriptor.name,
        expected: descriptor.contractHash,
        actual: typeof actual === "string" ? actual : undefined,
      });
    }
  }
  return mismatches;
}
