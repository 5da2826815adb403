import { afterEach, describe, expect, it, vi } from "vitest";
import { sleep } from "./refresh-lock.js";
import { API, browser, events, failure, until } from "./test-support/harness.js";
import { useLocks } from "./test-support/locks.js";

let current: ReturnType<typeof browser> | undefined;
afterEach(() => {
  current?.close();
  vi.unstubAllGlobals();
});

describe.each(["web-locks", "channel-fallback"] as const)("tabs of one browser (%s)", (kind) => {
  async function twoTabs(options: { accessTtlSeconds?: number } = {}) {
    useLocks(kind);
    current = browser(options);
    const b = current.tab();
    const a = await current.signedIn();
    // A login in one tab reaches the others over the BroadcastChannel.
    await until(() => b.user !== null);
    return { ...current, a, b };
  }

  it("a login in one tab logs in the others", async () => {
    const { a, b, server } = await twoTabs();
    expect(b.user).toEqual(a.user);
    expect((await b.fetch(API)).status).toBe(200);
    expect(server.count("POST", "/auth/refresh")).toBe(0);
  });

  it("tabs whose tokens expire together issue one refresh and both keep working", async () => {
    const { a, b, clock, server } = await twoTabs();
    clock.advance(901_000);
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => a.fetch(API)),
      ...Array.from({ length: 5 }, () => b.fetch(API)),
    ]);
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(server.count("POST", "/auth/refresh")).toBe(1);
    expect(a.user).not.toBeNull();
    expect(b.user).not.toBeNull();

    // And again at the next expiry, starting from the other tab.
    clock.advance(901_000);
    const again = await Promise.all([b.fetch(API), a.fetch(API)]);
    expect(again.map((r) => r.status)).toEqual([200, 200]);
    expect(server.count("POST", "/auth/refresh")).toBe(2);
  });

  it("a tab reloaded beside a live one resumes the shared session", async () => {
    const { a, tab, server } = await twoTabs();
    const reloaded = tab();
    expect(await reloaded.restore()).toEqual(a.user);
    expect((await a.fetch(API)).status).toBe(200);
    expect((await reloaded.fetch(API)).status).toBe(200);
    expect(server.count("POST", "/auth/refresh")).toBe(1);
  });

  it("a logout in one tab logs out the others", async () => {
    const { a, b, server } = await twoTabs();
    const seen = events(b);
    await a.logout();
    await until(() => b.user === null);
    expect(seen).toEqual(["logged_out"]);
    const calls = server.requests.length;
    expect(await failure(b.fetch(API))).toEqual({ code: "not_authenticated", status: 0 });
    expect(server.requests).toHaveLength(calls);
  });

  it("a session that ended is not revived by a late broadcast of it", async () => {
    const { a, b, server, channelName } = await twoTabs();
    const user = a.user;
    await a.logout();
    await until(() => b.user === null);
    const endedCsrf = server.requests.at(-1)?.headers.get("X-CSRF-Token");
    // What a third tab that refreshed just before the logout would send.
    const late = (csrfToken: unknown) => {
      const channel = new BroadcastChannel(channelName);
      const session = { accessToken: "at_late", expiresAt: 8.64e15, lifetimeMs: 900_000, csrfToken, user };
      channel.postMessage({ type: "session", session });
      channel.close();
    };
    late(endedCsrf);
    await sleep(20);
    expect(a.user).toBeNull();
    expect(b.user).toBeNull();
    // Control: the same message for another session is taken.
    late("csrf_other");
    await until(() => a.user !== null && b.user !== null);
  });

  it("a session that died at the server ends in session_expired in every tab", async () => {
    const { a, b, clock, server } = await twoTabs();
    const seen = events(b);
    server.revokeSessions();
    clock.advance(901_000);
    expect(await failure(a.fetch(API))).toEqual({ code: "session_revoked", status: 401 });
    await until(() => b.user === null);
    expect(seen).toEqual(["session_expired"]);
  });
});
