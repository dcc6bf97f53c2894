/** The gap rule of group publications (packages/redis/src/group-position.ts), case by case. */
import { describe, expect, it } from "@jest/globals";
import { GroupPosition, readPublication } from "../../packages/redis/src/group-position.js";

const pub = (kind: "b" | "g" | "s", epoch: string, offset: number) =>
  readPublication(`${epoch} ${offset} ${kind} node1\npayload`)!;

describe("group position", () => {
  it("reads `epoch offset kind origin\\npayload`, and refuses anything else", () => {
    expect(readPublication("e1 5 b n1\nm\n{}")).toEqual({
      kind: "b",
      epoch: "e1",
      offset: 5,
      origin: "n1",
      payload: "m\n{}",
    });
    for (const bad of ["", "e1 5 b n1", "e1 x b n1\n", "e1 5 q n1\n", "e1 5\n"]) {
      expect(readPublication(bad)).toBeUndefined();
    }
  });

  it("consecutive offsets are no gap; a skipped one is", () => {
    const position = new GroupPosition();
    expect(position.advance(pub("b", "e1", 7))).toBe(false); // the first sets the position
    expect(position.advance(pub("b", "e1", 8))).toBe(false);
    expect(position.advance(pub("b", "e1", 10))).toBe(true);
    expect(position.advance(pub("b", "e1", 11))).toBe(false);
  });

  it("a sync marker carries the current offset: equal is no gap, ahead is", () => {
    const position = new GroupPosition();
    position.advance(pub("b", "e1", 3));
    expect(position.advance(pub("s", "e1", 3))).toBe(false);
    expect(position.advance(pub("s", "e1", 5))).toBe(true);
    expect(position.advance(pub("b", "e1", 6))).toBe(false);
  });

  it("a new epoch (Redis lost the group's history) is a gap", () => {
    const position = new GroupPosition();
    position.advance(pub("b", "e1", 3));
    expect(position.advance(pub("s", "e2", 0))).toBe(true);
    expect(position.advance(pub("b", "e2", 1))).toBe(false);
  });
});
