/**
 * Format document: `formatSource` (the layout of `svcgen fmt`) as one edit covering only the
 * part of the text that changes, so the editor keeps the cursor and folds elsewhere.
 */
import type { TextEdit } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { formatSource } from "../format/index.js";

/** The edits that format the document: none when it is formatted or has syntax errors. */
export function formatDocument(document: TextDocument): TextEdit[] {
  const text = document.getText();
  const formatted = formatSource(text);
  if (formatted === undefined || formatted === text) return [];
  let start = 0;
  const shorter = Math.min(text.length, formatted.length);
  while (start < shorter && text.charCodeAt(start) === formatted.charCodeAt(start)) start++;
  let end = 0;
  while (
    end < shorter - start &&
    text.charCodeAt(text.length - 1 - end) === formatted.charCodeAt(formatted.length - 1 - end)
  ) {
    end++;
  }
  return [
    {
      range: { start: document.positionAt(start), end: document.positionAt(text.length - end) },
      newText: formatted.slice(start, formatted.length - end),
    },
  ];
}
