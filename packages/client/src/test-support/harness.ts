import { createClient } from "../client.js";
import type { ClientOptions, TesseraClient } from "../client-types.js";
import { FakeAuthServer } from "./fake-auth-server.js";

export const EMAIL = "ada@example.com";
export const PASSWORD = "correct horse battery staple";
export const API = "https://api.test/api/data";

/** A clock that moves only when told to. */
export class TestClock {
  #now = Date.parse("2026-01-01T00:00:00Z");
  readonly now = (): number => this.#now;
  advance(ms: number): void {
    this.#now += ms;
  }
}

let channelSeq = 0;

/**
 * One browser against one fake auth server: every client made by `tab()` shares the cookie jar
 * and a BroadcastChannel name, like tabs of one origin.
 */
export function browser(options: { accessTtlSeconds?: number } = {}) {
  const clock = new TestClock();
  const server = new FakeAuthServer({ now: clock.now, ...options });
  const channelName = `tessera-test-${process.pid}-${++channelSeq}`;
  const tabs: TesseraClient[] = [];
  const base: ClientOptions = {
    baseUrl: "https://auth.test/",
    fetch: server.fetch,
    now: clock.now,
    channelName,
  };
  const tab = (): TesseraClient => {
    const client = createClient(base);
    tabs.push(client);
    return client;
  };
  /** A tab with a registered, logged-in user. */
  const signedIn = async (): Promise<TesseraClient> => {
    const client = tab();
    await client.register(EMAIL, PASSWORD);
    await client.login(EMAIL, PASSWORD);
    return client;
  };
  const close = (): void => {
    for (const t of tabs) t.close();
  };
  return { clock, server, channelName, tab, signedIn, close };
}

/** Record every state change of a client. */
export function events(client: TesseraClient): string[] {
  const seen: string[] = [];
  client.on("change", (state) => seen.push(state));
  return seen;
}

/** Wait (bounded) for something another tab causes asynchronously. */
export async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Await a promise expected to reject with a TesseraClientError; returns its code and status. */
export async function failure(promise: Promise<unknown>): Promise<{ code: string; status: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: unknown; status?: unknown; name?: unknown };
    if (e.name !== "TesseraClientError") throw error;
    return { code: String(e.code), status: Number(e.status) };
  }
  throw new Error("expected a rejection");
}
