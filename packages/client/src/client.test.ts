import { afterEach, describe, expect, it } from "vitest";
import { API, browser, EMAIL, events, failure, PASSWORD } from "./test-support/harness.js";

let current: ReturnType<typeof browser> | undefined;
function setup(options: { accessTtlSeconds?: number } = {}) {
  current = browser(options);
  return current;
}
afterEach(() => current?.close());

const bearerOf = (headers: Headers) => headers.get("Authorization")?.replace(/^Bearer /, "");

describe("login and auth.fetch", () => {
  it("keeps the user in memory and sends the token only in the Authorization header", async () => {
    const { server, tab } = setup();
    const auth = tab();
    const seen = events(auth);
    expect(await failure(auth.fetch(API))).toEqual({ code: "not_authenticated", status: 0 });
    expect(server.requests).toHaveLength(0);

    const registered = await auth.register(EMAIL, PASSWORD);
    expect(auth.user).toBeNull();
    const user = await auth.login(EMAIL, PASSWORD);
    expect(user).toEqual(registered);
    expect(auth.user).toEqual({ id: registered.id, email: EMAIL, roles: [] });
    expect(seen).toEqual(["authenticated"]);

    const res = await auth.fetch(API);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: registered.id });
    const login = server.requests.find((r) => r.path === "/auth/login");
    expect(login?.url).toBe("https://auth.test/auth/login");
    expect(login?.credentials).toBe("include");
    const call = server.requests.at(-1);
    expect(bearerOf(call?.headers ?? new Headers())).toMatch(/^at_/);
    for (const r of server.requests) expect(r.url).not.toMatch(/at_|rt_|csrf_/);
  });

  it("passes the server's error codes through and stays logged out", async () => {
    const { tab } = setup();
    const auth = tab();
    await auth.register(EMAIL, PASSWORD);
    expect(await failure(auth.register(EMAIL, PASSWORD))).toEqual({ code: "email_taken", status: 409 });
    expect(await failure(auth.login(EMAIL, "wrong"))).toEqual({ code: "invalid_credentials", status: 401 });
    expect(auth.user).toBeNull();
  });

  it("reports a request that never got an answer as network_error", async () => {
    const { server, tab } = setup();
    server.failNext("/auth/login", { network: true });
    expect(await failure(tab().login(EMAIL, PASSWORD))).toEqual({ code: "network_error", status: 0 });
  });
});

describe("single-flight refresh", () => {
  it("20 concurrent calls on an expired token cause exactly one refresh", async () => {
    const { server, clock, signedIn } = setup();
    const auth = await signedIn();
    const before = await Promise.all(Array.from({ length: 20 }, () => auth.fetch(API)));
    expect(before.every((r) => r.status === 200)).toBe(true);
    expect(server.count("POST", "/auth/refresh")).toBe(0);

    clock.advance(901_000);
    const after = await Promise.all(Array.from({ length: 20 }, () => auth.fetch(API)));
    expect(after.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(server.count("POST", "/auth/refresh")).toBe(1);
    const tokens = new Set(server.requests.slice(-20).map((r) => bearerOf(r.headers)));
    expect(tokens.size).toBe(1);
  });

  it("on a 401 refreshes once and retries once", async () => {
    const { server, signedIn } = setup();
    const auth = await signedIn();
    const seen = events(auth);
    server.revokeAccessTokens();
    const res = await auth.fetch(API);
    expect(res.status).toBe(200);
    expect(server.count("POST", "/auth/refresh")).toBe(1);
    expect(server.count("GET", "/api/data")).toBe(2);
    expect(seen).toEqual(["refreshed"]);
  });

  it("20 concurrent 401s share one refresh", async () => {
    const { server, signedIn } = setup();
    const auth = await signedIn();
    server.revokeAccessTokens();
    const all = await Promise.all(Array.from({ length: 20 }, () => auth.fetch(API)));
    expect(all.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(server.count("POST", "/auth/refresh")).toBe(1);
  });

  it("gives up after the retry is answered 401 again: no refresh loop", async () => {
    const { server, signedIn } = setup();
    const auth = await signedIn();
    server.resourceAlwaysUnauthorized = true;
    const res = await auth.fetch(API);
    expect(res.status).toBe(401);
    expect(server.count("POST", "/auth/refresh")).toBe(1);
    expect(server.count("GET", "/api/data")).toBe(2);
    expect(auth.user).not.toBeNull();
  });

  it.each([
    { ttl: 900, noRefreshAt: 900_000 - 31_000, refreshAt: 900_000 - 29_000 },
    { ttl: 8, noRefreshAt: 5_900, refreshAt: 6_100 },
  ])(
    "refreshes ahead within min(30 s, ¼ lifetime) of expiry (ttl $ttl s)",
    async ({ ttl, noRefreshAt, refreshAt }) => {
      const { server, clock, signedIn } = setup({ accessTtlSeconds: ttl });
      const auth = await signedIn();
      clock.advance(noRefreshAt);
      await auth.fetch(API);
      expect(server.count("POST", "/auth/refresh")).toBe(0);
      clock.advance(refreshAt - noRefreshAt);
      const res = await auth.fetch(API);
      expect(res.status).toBe(200);
      expect(server.requests.slice(-2).map((r) => r.path)).toEqual(["/auth/refresh", "/api/data"]);
      expect(server.count("GET", "/api/data")).toBe(2);
    },
  );

  it("keeps using a still-valid token when the early refresh cannot reach the server", async () => {
    const { server, clock, signedIn } = setup();
    const auth = await signedIn();
    const seen = events(auth);
    clock.advance(900_000 - 10_000);
    server.failNext("/auth/refresh", { network: true });
    expect((await auth.fetch(API)).status).toBe(200);

    clock.advance(20_000);
    server.failNext("/auth/refresh", { network: true });
    expect(await failure(auth.fetch(API))).toEqual({ code: "network_error", status: 0 });
    expect(auth.user).not.toBeNull();
    expect(seen).toEqual([]);
    expect((await auth.fetch(API)).status).toBe(200);
    expect(seen).toEqual(["refreshed"]);
  });

  it("a refresh answered 401 ends in session_expired with no user", async () => {
    const { server, clock, signedIn } = setup();
    const auth = await signedIn();
    const seen = events(auth);
    server.revokeSessions();
    clock.advance(901_000);
    expect(await failure(auth.fetch(API))).toEqual({ code: "session_revoked", status: 401 });
    expect(auth.user).toBeNull();
    expect(seen).toEqual(["session_expired"]);
    expect(await failure(auth.fetch(API))).toEqual({ code: "not_authenticated", status: 0 });
    expect(server.count("POST", "/auth/refresh")).toBe(1);
  });

  it("a rate-limited refresh keeps the user and reports Retry-After", async () => {
    const { server, clock, signedIn } = setup();
    const auth = await signedIn();
    clock.advance(901_000);
    server.failNext("/auth/refresh", { status: 429, error: "rate_limited", retryAfter: 7 });
    const error = await auth.fetch(API).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "rate_limited", status: 429, retryAfter: 7 });
    expect(auth.user).not.toBeNull();
  });
});

describe("stale CSRF token", () => {
  it("on 403 csrf_failed asks the server for the session's CSRF token once and refreshes with it", async () => {
    const { server, clock, tab } = setup({ accessTtlSeconds: 60 });
    const auth = tab();
    await auth.register(EMAIL, PASSWORD);
    await auth.login(EMAIL, PASSWORD);
    server.rekeyCsrf();
    clock.advance(61_000);
    const res = await auth.fetch(API);
    expect(res.status).toBe(200);
    expect(server.count("GET", "/auth/csrf")).toBe(1);
    expect(server.count("POST", "/auth/refresh")).toBe(2);
    expect(auth.user?.email).toBe(EMAIL);
  });

  it("does not loop when the recovered CSRF token is refused too", async () => {
    const { server, clock, tab } = setup({ accessTtlSeconds: 60 });
    const auth = tab();
    await auth.register(EMAIL, PASSWORD);
    await auth.login(EMAIL, PASSWORD);
    clock.advance(61_000);
    // The same token comes back from /auth/csrf, so a second refresh would be refused the same way.
    server.failNext("/auth/refresh", { status: 403, error: "csrf_failed" });
    expect(await failure(auth.fetch(API))).toEqual({ code: "csrf_failed", status: 403 });
    expect(server.count("GET", "/auth/csrf")).toBe(1);
    expect(server.count("POST", "/auth/refresh")).toBe(1);
  });
});

describe("request bodies across the retry", () => {
  it("resends a string body and a Request's body after the refresh", async () => {
    const { server, signedIn } = setup();
    const auth = await signedIn();
    server.revokeAccessTokens();
    const res = await auth.fetch(API, { method: "POST", body: "hello" });
    expect(await res.json()).toMatchObject({ body: "hello" });

    server.revokeAccessTokens();
    const fromRequest = await auth.fetch(new Request(API, { method: "POST", body: "again" }));
    expect(await fromRequest.json()).toMatchObject({ body: "again" });
    expect(server.count("POST", "/api/data")).toBe(4);
  });

  it("does not resend a streamed body, but refreshes so the caller's own retry works", async () => {
    const { server, signedIn } = setup();
    const auth = await signedIn();
    server.revokeAccessTokens();
    const body = new Blob(["streamed"]).stream();
    const res = await auth.fetch(API, { method: "POST", body, duplex: "half" } as RequestInit);
    expect(res.status).toBe(401);
    expect(server.count("POST", "/api/data")).toBe(1);
    expect(server.count("POST", "/auth/refresh")).toBe(1);
    expect((await auth.fetch(API)).status).toBe(200);
  });
});

describe("restore", () => {
  it("resumes the session of the refresh cookie after a reload", async () => {
    const { server, tab, signedIn } = setup();
    const first = await signedIn();
    const user = first.user;
    first.close();
    const reloaded = tab();
    const seen = events(reloaded);
    expect(await reloaded.restore()).toEqual(user);
    expect(reloaded.user).toEqual(user);
    expect(seen).toEqual(["authenticated"]);
    expect(server.requests.slice(-2).map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /auth/csrf",
      "POST /auth/refresh",
    ]);
    expect((await reloaded.fetch(API)).status).toBe(200);
  });

  it("resolves to null without a session, without throwing or emitting", async () => {
    const { server, tab } = setup();
    const auth = tab();
    const seen = events(auth);
    expect(await auth.restore()).toBeNull();
    expect(server.count("POST", "/auth/refresh")).toBe(0);

    server.cookie = "rt_forged";
    server.failNext("/auth/csrf", { status: 401, error: "refresh_invalid" });
    expect(await auth.restore()).toBeNull();
    expect(auth.user).toBeNull();
    expect(seen).toEqual([]);
  });

  it("resolves to null when the refresh itself is refused", async () => {
    const { server, tab, signedIn } = setup();
    (await signedIn()).close();
    const auth = tab();
    server.failNext("/auth/refresh", { status: 401, error: "refresh_expired" });
    expect(await auth.restore()).toBeNull();
    expect(server.count("POST", "/auth/refresh")).toBe(1);
  });

  it("throws when the server cannot be reached, so the app can offer a retry", async () => {
    const { server, tab } = setup();
    server.failNext("/auth/csrf", { network: true });
    expect(await failure(tab().restore())).toEqual({ code: "network_error", status: 0 });
  });
});

describe("logout", () => {
  it("ends the session at the server, clears memory and emits logged_out", async () => {
    const { server, tab, signedIn } = setup();
    const auth = await signedIn();
    const seen = events(auth);
    await auth.logout();
    const logout = server.requests.at(-1);
    expect(logout?.path).toBe("/auth/logout");
    expect(logout?.headers.get("X-CSRF-Token")).toMatch(/^csrf_/);
    expect(auth.user).toBeNull();
    expect(seen).toEqual(["logged_out"]);
    const calls = server.requests.length;
    expect(await failure(auth.fetch(API))).toEqual({ code: "not_authenticated", status: 0 });
    expect(server.requests).toHaveLength(calls);
    expect(await tab().restore()).toBeNull();
  });

  it("forgets the tokens even when the server is unreachable, and says so", async () => {
    const { server, signedIn } = setup();
    const auth = await signedIn();
    server.failNext("/auth/logout", { network: true });
    expect(await failure(auth.logout())).toEqual({ code: "network_error", status: 0 });
    expect(auth.user).toBeNull();
  });

  it("logoutAll revokes every session with the access token", async () => {
    const { server, tab, signedIn } = setup();
    const auth = await signedIn();
    const seen = events(auth);
    await auth.logoutAll();
    const call = server.requests.at(-1);
    expect(call?.path).toBe("/auth/logout-all");
    expect(bearerOf(call?.headers ?? new Headers())).toMatch(/^at_/);
    expect(auth.user).toBeNull();
    expect(seen).toEqual(["logged_out"]);
    expect(await tab().restore()).toBeNull();
    expect(await failure(auth.logoutAll())).toEqual({ code: "not_authenticated", status: 0 });
  });

  it("drops a refresh answer that lands after a logout", async () => {
    const { clock, signedIn } = setup();
    const auth = await signedIn();
    const seen = events(auth);
    clock.advance(901_000);
    const call = auth.fetch(API).then(
      (r) => r.status,
      (e: { code: string }) => e.code,
    );
    await auth.logout();
    await call;
    expect(auth.user).toBeNull();
    expect(seen.at(-1)).toBe("logged_out");
  });
});

describe("listeners", () => {
  it("stop receiving changes after unsubscribing", async () => {
    const { tab } = setup();
    const auth = tab();
    const seen: string[] = [];
    const off = auth.on("change", (s) => seen.push(s));
    await auth.register(EMAIL, PASSWORD);
    await auth.login(EMAIL, PASSWORD);
    off();
    await auth.logout();
    expect(seen).toEqual(["authenticated"]);
  });
});
