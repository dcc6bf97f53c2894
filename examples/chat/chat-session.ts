import type { CallbackProxy } from "@svcgen/runtime";
import { ChatRoomBase, NotJoined } from "../../generated/chat.js";
import type { ChatMember } from "../../generated/chat.js";
import type { ChatRoomState } from "./chat-room.js";

interface Membership {
  readonly name: string;
  readonly member: CallbackProxy<ChatMember>;
}

/**
 * One connection's view of the room (registered `perConnection`): it remembers under
 * which name this connection joined, so `send` and `leave` need no name.
 */
export class ChatSession extends ChatRoomBase {
  private membership: Membership | undefined;

  constructor(private readonly room: ChatRoomState) {
    super();
  }

  join(name: string, member: CallbackProxy<ChatMember>): string[] {
    const previous = this.current();
    const present = this.room.enter(name, member);
    // Joining again under another name leaves the old one.
    if (previous) this.leaveRoom(previous, previous.member !== member);
    this.membership = { name, member };
    return present.filter((other) => other !== previous?.name);
  }

  send(text: string): void {
    this.room.say(this.joined().name, text);
  }

  leave(): void {
    this.leaveRoom(this.joined(), true);
  }

  members(): string[] {
    return this.room.names();
  }

  /** The membership, unless its callback was released meanwhile (the room dropped it then). */
  private current(): Membership | undefined {
    if (this.membership?.member.released) this.membership = undefined;
    return this.membership;
  }

  private joined(): Membership {
    const membership = this.current();
    if (!membership) throw new NotJoined({}, "join the room first");
    return membership;
  }

  private leaveRoom(membership: Membership, releaseCallback: boolean): void {
    if (this.membership === membership) this.membership = undefined;
    this.room.exit(membership.name, membership.member, "left");
    // The room no longer calls this member: let the client drop its callback object too.
    if (releaseCallback) membership.member.release("left");
  }
}
