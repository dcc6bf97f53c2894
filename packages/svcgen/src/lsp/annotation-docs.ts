/** The annotations of IDL.md as an editor presents them: completion items and hovers. */
export interface AnnotationDoc {
  readonly name: string;
  /** What to insert after `@` (an LSP snippet). */
  readonly snippet: string;
  readonly summary: string;
}

export const annotationDocs: readonly AnnotationDoc[] = [
  {
    name: "deprecated",
    snippet: "deprecated",
    summary:
      '`@deprecated` or `@deprecated("why")`, on anything: emitted as JSDoc `@deprecated` in generated code.',
  },
  {
    name: "status",
    snippet: "status(${1:400})",
    summary: "`@status(N)` on an `error`: its HTTP status, 400 to 599 (default 400).",
  },
  {
    name: "idempotent",
    snippet: "idempotent",
    summary: "`@idempotent` on an interface method: a client may retry it after a lost connection.",
  },
];
