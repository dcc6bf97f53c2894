/** An IDL that is valid but cannot be turned into TypeScript (a name clash); the message says why. */
export class GenerateError extends Error {
  override readonly name = "GenerateError";
}
