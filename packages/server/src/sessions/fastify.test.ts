import Fastify from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  APP_ORIGIN,
  SESSION_PASSWORD,
  type SessionApp,
  setSessionValue,
  startSessionApp,
} from "../test-support/session-app.js";
import { sessionAuth } from "./fastify.js";
import { sessionCookie, startedSessionCookie } from "./session-cookie.js";

const FORM = { "content-type": "application/x-www-form-urlencoded", origin: APP_ORIGIN };
let s: SessionApp;
beforeEach(async () => {
  s = await startSessionApp();
});
afterEach(() => s.close());

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const cookieHeader = (value: string) => ({ cookie: `__Host-tessera_session=${value}` });

async function logIn(email = "admin@example.com", extra: Record<string, string> = {}, cookie?: string) {
  const res = await s.app.inject({
    method: "POST",
    url: "/login",
    headers: { ...FORM, ...(cookie ? cookieHeader(cookie) : {}) },
    payload: form({ email, password: SESSION_PASSWORD, ...extra }),
  });
  const value = setSessionValue(res.headers["set-cookie"]);
  if (value === undefined) throw new Error(`no session cookie: ${res.statusCode} ${res.headers.location}`);
  return { res, value };
}

async function who(value: string) {
  const res = await s.app.inject({ method: "GET", url: "/", headers: cookieHeader(value) });
  return res.json() as { session: { id: string; csrfToken: string } | null; user: { email: string } | null };
}

describe("sessionAuth (Fastify)", () => {
  it("logs in by form: a __Host- cookie (HttpOnly, Secure, Lax, Path=/), 303 to a same-origin next", async () => {
    const { res, value } = await logIn("admin@example.com", { next: "/account?tab=1" });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/account?tab=1");
    expect(res.headers["set-cookie"]).toBe(
      `__Host-tessera_session=${value}; Path=/; HttpOnly; Secure; SameSite=Lax`,
    );
    expect((await who(value)).user?.email).toBe("admin@example.com");
    const anon = await s.app.inject({ method: "GET", url: "/" });
    expect(anon.json()).toEqual({ session: null, user: null });
  });

  it("remember=on gives the cookie the session's absolute lifetime; an off-site next goes to /", async () => {
    const { res } = await logIn("admin@example.com", { remember: "on", next: "//evil.example/x" });
    expect(res.headers.location).toBe("/");
    expect(res.headers["set-cookie"]).toMatch(/; Max-Age=2592000$/);
  });

  it("logs in by JSON: 200 {user}; failures answer the codes of /auth/login", async () => {
    const ok = await s.app.inject({
      method: "POST",
      url: "/login",
      headers: { origin: APP_ORIGIN },
      payload: { email: "user@example.com", password: SESSION_PASSWORD },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user).toMatchObject({ email: "user@example.com", roles: [] });
    const bad = await s.app.inject({
      method: "POST",
      url: "/login",
      headers: { origin: APP_ORIGIN },
      payload: { email: "user@example.com", password: "not the password" },
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toEqual({ error: "invalid_credentials", message: "Invalid e-mail or password." });
    const formBad = await s.app.inject({
      method: "POST",
      url: "/login",
      headers: FORM,
      payload: form({ email: "x@y.z", password: "nope nope" }),
    });
    expect(formBad.statusCode).toBe(303);
    expect(formBad.headers.location).toBe("/login?error=invalid_credentials");
    const garbage = await s.app.inject({
      method: "POST",
      url: "/login",
      headers: { origin: APP_ORIGIN },
      payload: [1, 2],
    });
    expect(garbage.statusCode).toBe(400);
  });

  it("counts failed logins per account and IP: 429 once the budget is spent", async () => {
    await s.close();
    s = await startSessionApp({ auth: { limits: { login: "2/15m" } } });
    const attempt = () =>
      s.app.inject({
        method: "POST",
        url: "/login",
        headers: { origin: APP_ORIGIN },
        payload: { email: "user@example.com", password: "wrong password" },
      });
    expect((await attempt()).statusCode).toBe(401);
    expect((await attempt()).statusCode).toBe(401);
    const limited = await attempt();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toBe("rate_limited");
  });

  it("refuses an unsafe request from another origin, or with neither Origin nor Sec-Fetch-Site, before anything else", async () => {
    const sessionsBefore = await s.tessera.adminListSessions("admin@example.com");
    for (const headers of [
      { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
      { "content-type": "application/x-www-form-urlencoded", origin: "null" },
      { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "cross-site" },
      { "content-type": "application/x-www-form-urlencoded" },
    ]) {
      const res = await s.app.inject({
        method: "POST",
        url: "/login",
        headers,
        payload: form({ email: "admin@example.com", password: SESSION_PASSWORD }),
      });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ error: "csrf_failed", message: "The CSRF token is missing or wrong." });
      expect(res.headers["set-cookie"]).toBeUndefined();
    }
    expect(await s.tessera.adminListSessions("admin@example.com")).toEqual(sessionsBefore);
    const sameOrigin = await s.app.inject({
      method: "POST",
      url: "/login",
      headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
      payload: form({ email: "admin@example.com", password: SESSION_PASSWORD }),
    });
    expect(sameOrigin.statusCode).toBe(303);
  });

  it("with a session, an unsafe request needs the synchronizer token (_csrf or X-CSRF-Token)", async () => {
    const { value } = await logIn();
    const { session } = await who(value);
    const post = (headers: Record<string, string>, payload: string) =>
      s.app.inject({
        method: "POST",
        url: "/notes",
        headers: { ...FORM, ...cookieHeader(value), ...headers },
        payload,
      });
    expect((await post({}, form({ text: "hi" }))).statusCode).toBe(403);
    expect((await post({}, form({ text: "hi", _csrf: `${session?.csrfToken}x` }))).statusCode).toBe(403);
    expect(
      (await post({ origin: "https://evil.example" }, form({ _csrf: session?.csrfToken ?? "" }))).statusCode,
    ).toBe(403);
    expect(s.writes()).toBe(0);
    expect((await post({}, form({ text: "hi", _csrf: session?.csrfToken ?? "" }))).statusCode).toBe(200);
    expect((await post({ "x-csrf-token": session?.csrfToken ?? "" }, form({ text: "hi" }))).statusCode).toBe(
      200,
    );
    expect(s.writes()).toBe(2);
  });

  it("parses form bodies on its own routes only", async () => {
    const bare = Fastify({ logger: false });
    await bare.register(sessionAuth, { tessera: s.tessera, origins: [APP_ORIGIN] });
    bare.post("/plain", async () => ({ ran: true }));
    const res = await bare.inject({ method: "POST", url: "/plain", headers: FORM, payload: "a=1" });
    expect(res.statusCode).toBe(415);
    const login = form({ email: "user@example.com", password: SESSION_PASSWORD });
    expect(
      (await bare.inject({ method: "POST", url: "/login", headers: FORM, payload: login })).statusCode,
    ).toBe(303);
    await bare.close();
  });

  it("guards: 401 or a redirect to the login page without a session, 403 without the role", async () => {
    expect((await s.app.inject({ method: "GET", url: "/account" })).json()).toEqual({
      error: "session_required",
      message: "A signed-in session is required.",
    });
    const html = await s.app.inject({ method: "GET", url: "/admin?x=1", headers: { accept: "text/html" } });
    expect(html.statusCode).toBe(303);
    expect(html.headers.location).toBe("/login?next=%2Fadmin%3Fx%3D1");
    const { value } = await logIn("user@example.com");
    const denied = await s.app.inject({ method: "GET", url: "/admin", headers: cookieHeader(value) });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error).toBe("insufficient_scope");
    const admin = await logIn("admin@example.com");
    expect(
      (await s.app.inject({ method: "GET", url: "/admin", headers: cookieHeader(admin.value) })).statusCode,
    ).toBe(200);
  });

  it("logout revokes the session and clears the cookie; a dead cookie is cleared and the visitor anonymous", async () => {
    const { value } = await logIn();
    const { session } = await who(value);
    const out = await s.app.inject({
      method: "POST",
      url: "/logout",
      headers: { ...FORM, ...cookieHeader(value) },
      payload: form({ _csrf: session?.csrfToken ?? "" }),
    });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe("/");
    expect(out.headers["set-cookie"]).toBe(
      "__Host-tessera_session=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0",
    );
    const after = await s.app.inject({ method: "GET", url: "/", headers: cookieHeader(value) });
    expect(after.json()).toEqual({ session: null, user: null });
    expect(after.headers["set-cookie"]).toContain("Max-Age=0");
  });

  it("a login with a cookie present replaces it (no fixation); a password change replaces the caller's", async () => {
    const first = await logIn();
    const { session } = await who(first.value);
    const second = await logIn("admin@example.com", { _csrf: session?.csrfToken ?? "" }, first.value);
    expect(second.value).not.toBe(first.value);
    const relog = await s.app.inject({
      method: "POST",
      url: "/login",
      headers: { ...FORM, ...cookieHeader(second.value) },
      payload: form({ email: "user@example.com", password: SESSION_PASSWORD }),
    });
    expect(relog.statusCode).toBe(403); // with a session, the login form needs its _csrf too
    expect((await who(first.value)).session).toBeNull();

    const current = (await who(second.value)).session;
    const changed = await s.tessera.sessions.changePassword(current?.id ?? "", {
      currentPassword: SESSION_PASSWORD,
      newPassword: "a brand new passphrase",
      context: { ip: null, userAgent: null },
    });
    expect(sessionCookie(changed.cookieValue)).toContain(changed.cookieValue);
    expect((await who(second.value)).session).toBeNull();
    expect((await who(changed.cookieValue)).user?.email).toBe("admin@example.com");
  });

  it("a password change keeps remember=on: the new cookie has Max-Age; without remember, none", async () => {
    const change = async (value: string, from: string, to: string) => {
      const id = (await who(value)).session?.id ?? "";
      const context = { ip: null, userAgent: null };
      return s.tessera.sessions.changePassword(id, { currentPassword: from, newPassword: to, context });
    };
    const kept = await logIn("admin@example.com", { remember: "on" });
    expect(kept.res.headers["set-cookie"]).toMatch(/; Max-Age=2592000$/);
    const next = await change(kept.value, SESSION_PASSWORD, "a brand new passphrase");
    expect(startedSessionCookie(next)).toBe(
      `__Host-tessera_session=${next.cookieValue}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=2592000`,
    );
    await change(next.cookieValue, "a brand new passphrase", SESSION_PASSWORD);

    const plain = await logIn("admin@example.com", { remember: "off" });
    expect(plain.res.headers["set-cookie"]).not.toContain("Max-Age");
    const plainNext = await change(plain.value, SESSION_PASSWORD, "a brand new passphrase");
    expect(startedSessionCookie(plainNext)).toBe(
      `__Host-tessera_session=${plainNext.cookieValue}; Path=/; HttpOnly; Secure; SameSite=Lax`,
    );
  });

  it("answers 503 store_unavailable, not a 500, when the store is down", async () => {
    const { value } = await logIn();
    await s.store.close();
    const res = await s.app.inject({ method: "GET", url: "/", headers: cookieHeader(value) });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: "store_unavailable", message: "The data store is unavailable." });
    const login = await s.app.inject({
      method: "POST",
      url: "/login",
      headers: { origin: APP_ORIGIN },
      payload: { email: "user@example.com", password: SESSION_PASSWORD },
    });
    expect(login.statusCode).toBe(503);
  });
});
