/**
 * The soak's service, declared the way generated code declares it (docs/architecture.md),
 * over whichever build of the runtime is passed in: `packages/runtime/dist` for
 * `npm run soak`, the sources under jest.
 *
 *   callback Member { oneway message(seq: int32, text: string); }
 *   interface Room { join(name: string, member: Member): int32; }
 */

/** @param {typeof import("@svcgen/runtime")} runtime */
export function defineChat(runtime) {
  const { CallbackGroup, defineCallback, defineService, t } = runtime;

  const MemberDescriptor = defineCallback({
    name: "soak.Member",
    contractHash: "5".repeat(64),
    methods: [
      {
        name: "message",
        oneway: true,
        params: [
          { name: "seq", schema: t.int32 },
          { name: "text", schema: t.string },
        ],
      },
    ],
  });

  const RoomDescriptor = defineService({
    name: "soak.Room",
    contractHash: "6".repeat(64),
    methods: [
      {
        name: "join",
        params: [
          { name: "name", schema: t.string },
          { name: "member", callback: MemberDescriptor },
        ],
        returns: t.int32,
      },
    ],
  });

  class RoomBase {
    static descriptor = RoomDescriptor;
  }

  /** One room; members leave the group by themselves when released. */
  class Room extends RoomBase {
    group = new CallbackGroup();
    /** name → release reasons seen (a correct server gives exactly one). */
    releases = new Map();
    /** Members joined and not yet released. */
    live = new Set();

    join(name, member) {
      this.group.add(member);
      this.live.add(name);
      member.onRelease((reason) => {
        this.live.delete(name);
        const reasons = this.releases.get(name) ?? [];
        reasons.push(reason);
        this.releases.set(name, reasons);
      });
      return this.group.size;
    }
  }

  return { MemberDescriptor, RoomDescriptor, Room };
}
