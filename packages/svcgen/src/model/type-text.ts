/** A resolved type as an IDL author writes it (`string[]`, `map<string, T>`), qualified names. */
import type { TypeRef } from "./model.js";

export function typeText(type: TypeRef): string {
  switch (type.kind) {
    case "primitive":
      return type.name;
    case "list":
      return `${typeText(type.element)}[]`;
    case "map":
      return `map<string, ${typeText(type.value)}>`;
    case "named":
      return type.target;
  }
}
