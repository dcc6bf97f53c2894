/**
 * The browser page: the same generated clients as in Node, over the browser's own
 * WebSocket. The chat room and the long work call this page back; nothing here polls.
 */
import { connectWebSocket } from "@svcgen/runtime";
import { ChatRoomClient, NameTaken } from "../../generated/chat.js";
import type { ChatMember, Message } from "../../generated/chat.js";
import { LongWorkClient } from "../../generated/longwork.js";
import type { WorkListener } from "../../generated/longwork.js";

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

const connectionStatus = element<HTMLSpanElement>("connection");
const joinForm = element<HTMLFormElement>("join-form");
const nameInput = element<HTMLInputElement>("name");
const joinButton = element<HTMLButtonElement>("join");
const chatStatus = element<HTMLParagraphElement>("chat-status");
const messages = element<HTMLUListElement>("messages");
const sendForm = element<HTMLFormElement>("send-form");
const textInput = element<HTMLInputElement>("text");
const sendButton = element<HTMLButtonElement>("send");
const startWorkButton = element<HTMLButtonElement>("start-work");
const workProgress = element<HTMLProgressElement>("work-progress");
const workStatus = element<HTMLParagraphElement>("work-status");

const wsUrl = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws`;
// `?encoding=msgpack` speaks MessagePack (binary frames) instead of JSON: same page, same API.
const encoding =
  new URLSearchParams(location.search).get("encoding") === "msgpack" ? "msgpack" : "json";
const connection = await connectWebSocket(wsUrl, { encoding }).catch((error: unknown) => {
  connectionStatus.textContent = `cannot connect to ${wsUrl} (${describe(error)}): reload to retry`;
  throw error;
});
connectionStatus.textContent = "connected";
connectionStatus.dataset["encoding"] = connection.encoding;
connection.on("reconnecting", () => (connectionStatus.textContent = "reconnecting…"));
// The session resumed on a new socket: calls, callbacks and messages in between all survive.
connection.on("resumed", () => (connectionStatus.textContent = "connected (resumed)"));
connection.on("reconnected", () => (connectionStatus.textContent = "connected"));
connection.on("sessionLost", (reason) => {
  // `join` is @resubscribe: the client joins again by itself, with the same member object.
  if (nameInput.disabled)
    chatStatus.textContent = `The session was lost (${reason}): joining again.`;
});
connection.on("close", ({ reconnecting }) => {
  if (!reconnecting) connectionStatus.textContent = "closed";
});

const chat = new ChatRoomClient(connection);
const longWork = new LongWorkClient(connection);

function showLine(text: string, kind: "message" | "notice"): void {
  const item = document.createElement("li");
  item.className = kind;
  item.textContent = text; // never innerHTML: the text comes from other people
  messages.append(item);
  messages.scrollTop = messages.scrollHeight;
}

const member: ChatMember = {
  message: (message: Message) => showLine(`${message.from}: ${message.text}`, "message"),
  joined: (name) => showLine(`${name} joined`, "notice"),
  left: (name, reason) =>
    showLine(`${name} ${reason === "left" ? "left" : "disconnected"}`, "notice"),
};

joinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const name = nameInput.value.trim();
  if (name === "") return;
  joinButton.disabled = true;
  chat.join(name, member).then(
    (present) => {
      chatStatus.textContent =
        present.length === 0
          ? `You are ${name}; the room is empty.`
          : `You are ${name}; also here: ${present.join(", ")}.`;
      nameInput.disabled = true;
      textInput.disabled = false;
      sendButton.disabled = false;
      textInput.focus();
    },
    (error: unknown) => {
      joinButton.disabled = false;
      chatStatus.textContent =
        error instanceof NameTaken ? `"${name}" is taken: pick another name.` : describe(error);
    },
  );
});

sendForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = textInput.value;
  if (text.trim() === "") return;
  textInput.value = "";
  chat.send(text).catch((error: unknown) => (chatStatus.textContent = describe(error)));
});

startWorkButton.addEventListener("click", () => {
  startWorkButton.disabled = true;
  workProgress.value = 0;
  workStatus.textContent = "Starting…";
  const listener: WorkListener = {
    progress: (_workId, percent) => {
      workProgress.value = percent;
      workStatus.textContent = `${Math.round(percent)} % done`;
    },
    finished: (_workId, durationMillis) => {
      workProgress.value = 100;
      workStatus.textContent = `Finished in ${durationMillis} ms.`;
      startWorkButton.disabled = false;
    },
    failed: (_workId, reason) => {
      workStatus.textContent = `Failed: ${reason}.`;
      startWorkButton.disabled = false;
    },
  };
  longWork.startWork("browser-work", listener, { steps: 20, stepMillis: 100 }).then(
    (workId) => {
      // Progress may already have arrived; only say "running" while there is none.
      if (workProgress.value === 0) workStatus.textContent = `Running ${workId}…`;
    },
    (error: unknown) => {
      workStatus.textContent = describe(error);
      startWorkButton.disabled = false;
    },
  );
});

function describe(error: unknown): string {
  return error instanceof Error ? `Error: ${error.message}` : `Error: ${String(error)}`;
}
