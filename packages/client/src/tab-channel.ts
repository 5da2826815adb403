import { isRecord } from "./errors.js";
import { parseSession, type Session } from "./session.js";

/** What tabs of one origin tell each other. Tokens travel in memory only, never through storage. */
export type TabMessage =
  | { type: "session"; session: Session }
  | { type: "ended"; state: "logged_out" | "session_expired"; csrfToken: string }
  | { type: "lock"; op: "want" | "held" | "free"; id: string };

/** A BroadcastChannel reduced to what the SDK needs; a no-op where the platform has none. */
export interface TabChannel {
  post(message: TabMessage): void;
  subscribe(handler: (message: TabMessage) => void): void;
  close(): void;
}

/** @internal */
export function openTabChannel(name: string): TabChannel {
  const handlers: Array<(message: TabMessage) => void> = [];
  if (typeof BroadcastChannel === "undefined") {
    return { post() {}, subscribe() {}, close() {} };
  }
  const channel = new BroadcastChannel(name);
  channel.onmessage = (event: MessageEvent<unknown>) => {
    const message = parseMessage(event.data);
    if (message === undefined) return;
    for (const handler of handlers) handler(message);
  };
  return {
    post: (message) => channel.postMessage(message),
    subscribe: (handler) => handlers.push(handler),
    close: () => channel.close(),
  };
}

function parseMessage(data: unknown): TabMessage | undefined {
  if (!isRecord(data)) return undefined;
  if (data.type === "session") {
    const session = parseSession(data.session);
    return session && { type: "session", session };
  }
  if (data.type === "ended" && typeof data.csrfToken === "string") {
    if (data.state === "logged_out" || data.state === "session_expired") {
      return { type: "ended", state: data.state, csrfToken: data.csrfToken };
    }
  }
  if (data.type === "lock" && typeof data.id === "string") {
    if (data.op === "want" || data.op === "held" || data.op === "free") {
      return { type: "lock", op: data.op, id: data.id };
    }
  }
  return undefined;
}
