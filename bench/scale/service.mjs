/**
 * The service of the scale benchmark, written out as the generator would emit it:
 *
 *   callback Member { oneway tick(n: int32, sentAt: float64); answer(question: string): string; }
 *   interface Members { join(member: Member): string; }   // the member's ref, as JSON
 *
 * Every member joins one cluster group; a broadcast of `tick` carries the publisher's
 * clock so that clients can say when it arrived.
 */
import { defineCallback, defineService, t } from "@svcgen/runtime";

export const groupName = "scale:all";

export const MemberDescriptor = defineCallback({
  name: "scale.Member",
  contractHash: "d".repeat(64),
  methods: [
    {
      name: "tick",
      oneway: true,
      params: [
        { name: "n", schema: t.int32 },
        { name: "sentAt", schema: t.float64 },
      ],
    },
    { name: "answer", params: [{ name: "question", schema: t.string }], returns: t.string },
  ],
});

export const MembersDescriptor = defineService({
  name: "scale.Members",
  contractHash: "e".repeat(64),
  methods: [
    { name: "join", params: [{ name: "member", callback: MemberDescriptor }], returns: t.string },
  ],
});

export class Members {
  static descriptor = MembersDescriptor;

  constructor(group) {
    this.group = group;
  }

  join(member) {
    this.group.add(member);
    return JSON.stringify(member.ref);
  }
}
