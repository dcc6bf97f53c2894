import type { CallbackGroup, CallbackProxy } from "@svcgen/runtime";
import { NameTaken } from "../../generated/chat.js";
import type { ChatMember } from "../../generated/chat.js";

/**
 * The one room every connection shares: who is in it, and the group their callbacks
 * belong to. A broadcast encodes a message once and writes it to every member's socket.
 * The group is the server's cluster group `chat`: on several nodes joined by Redis, a
 * message reaches the members on every node (names are checked per node).
 */
export class ChatRoomState {
  private readonly members = new Map<string, CallbackProxy<ChatMember>>();

  /** `everyone`: the server's named group of the room (`server.group`), empty at first. */
  constructor(private readonly everyone: CallbackGroup<ChatMember>) {}

  names(): string[] {
    return [...this.members.keys()];
  }

  /**
   * Adds `name` and tells the others; returns who was there before. The member leaves by
   * itself when its callback is released: by the client, or because its connection closed.
   */
  enter(name: string, member: CallbackProxy<ChatMember>): string[] {
    if (this.members.has(name)) throw new NameTaken({ name }, `"${name}" is already in the room`);
    const present = this.names();
    // Told before the newcomer joins the group: `joined` is news for the others only.
    this.everyone.broadcast.joined(name);
    this.members.set(name, member);
    this.everyone.add(member);
    member.onRelease((reason) =>
      this.exit(name, member, reason === "disconnected" ? "disconnected" : "left"),
    );
    return present;
  }

  say(from: string, text: string): void {
    this.everyone.broadcast.message({ from, text, sentAt: new Date() });
  }

  /** Removes `name` if `member` still holds it, and tells the others why it went. */
  exit(name: string, member: CallbackProxy<ChatMember>, reason: "left" | "disconnected"): void {
    if (this.members.get(name) !== member) return;
    this.members.delete(name);
    // One callback object may have rejoined under a new name: it stays in the group then.
    if (![...this.members.values()].includes(member)) this.everyone.delete(member);
    this.everyone.broadcast.left(name, reason);
  }
}
