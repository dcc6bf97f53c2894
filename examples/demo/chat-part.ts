import type { ChatRoom } from "../../generated/chat.js";
import { ChatParticipant } from "../chat/client.js";
import type { RoomEvent } from "../chat/client.js";

export interface ChatPartResult {
  /** Events the two members heard, all kinds together. */
  readonly eventsHeard: number;
}

/**
 * A short conversation between two members, each on its own WebSocket connection. Every
 * line printed is an event the room pushed to a member's callback object.
 */
export async function runChatPart(
  aliceRoom: ChatRoom,
  bobRoom: ChatRoom,
  print: (line: string) => void,
): Promise<ChatPartResult> {
  const heardBy = (name: string) => (event: RoomEvent) =>
    print(`  ${name.padEnd(5)} hears  ${describeEvent(event)}`);

  const { participant: alice } = await ChatParticipant.join(aliceRoom, "alice", heardBy("alice"));
  print(`  alice joined an empty room`);
  const { participant: bob, present } = await ChatParticipant.join(bobRoom, "bob", heardBy("bob"));
  print(`  bob joined; already there: ${present.join(", ")}`);
  await alice.waitFor((event) => event.kind === "joined" && event.name === "bob");

  await alice.say("Hi Bob, the build is green.");
  await bob.waitFor((event) => event.kind === "message" && event.message.from === "alice");
  await bob.say("Great, shipping it!");
  await alice.waitFor((event) => event.kind === "message" && event.message.from === "bob");

  await bob.leave();
  await alice.waitFor((event) => event.kind === "left" && event.name === "bob");
  return { eventsHeard: alice.events.length + bob.events.length };
}

function describeEvent(event: RoomEvent): string {
  switch (event.kind) {
    case "message":
      return `${event.message.from}: ${event.message.text}`;
    case "joined":
      return `${event.name} joined`;
    case "left":
      return `${event.name} ${event.reason}`;
  }
}
