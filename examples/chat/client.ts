import type { ChatMember, ChatRoom, Message } from "../../generated/chat.js";

/** Something a member heard from the room, in the order it arrived. */
export type RoomEvent =
  | { readonly kind: "message"; readonly message: Message }
  | { readonly kind: "joined"; readonly name: string }
  | { readonly kind: "left"; readonly name: string; readonly reason: string };

/**
 * One member of the chat room on its own connection. The room pushes every event to the
 * member's callback object; `events` keeps them so a caller can wait for what it expects.
 */
export class ChatParticipant {
  readonly events: RoomEvent[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly name: string,
    private readonly room: ChatRoom,
  ) {}

  /** Joins as `name`; `onEvent` sees each event as it arrives. Resolves with who was there. */
  static async join(
    room: ChatRoom,
    name: string,
    onEvent: (event: RoomEvent) => void = () => undefined,
  ): Promise<{ participant: ChatParticipant; present: string[] }> {
    const participant = new ChatParticipant(name, room);
    const hear = (event: RoomEvent): void => {
      participant.events.push(event);
      onEvent(event);
      for (const wake of participant.waiters) wake();
    };
    const member: ChatMember = {
      message: (message) => hear({ kind: "message", message }),
      joined: (joinedName) => hear({ kind: "joined", name: joinedName }),
      left: (leftName, reason) => hear({ kind: "left", name: leftName, reason }),
    };
    const present = await room.join(name, member);
    return { participant, present };
  }

  say(text: string): Promise<void> {
    return this.room.send(text);
  }

  leave(): Promise<void> {
    return this.room.leave();
  }

  /** Resolves once an event matching `predicate` arrived (at once if one already has). */
  waitFor(predicate: (event: RoomEvent) => boolean, timeoutMs = 5000): Promise<RoomEvent> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const event = this.events.find(predicate);
        if (event === undefined) return false;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(event);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${this.name} did not hear the expected event within ${timeoutMs} ms`));
      }, timeoutMs);
      if (!check()) this.waiters.add(check);
    });
  }
}
