import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REFRESH_COOKIE } from "../http/refresh-cookie.js";
import { CookieJar, parseSetCookie } from "../test-support/cookie-jar.js";
import {
  APP_ORIGIN,
  leakedSecrets,
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from "../test-support/test-server.js";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ TESSERA_REFRESH_GRACE: "2s" });
});
afterAll(async () => {
  await server?.close();
});

async function loggedIn(jar = new CookieJar()) {
  const email = uniqueEmail();
  const reg = await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
  expect(reg.status).toBe(201);
  const login = await server.call("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD }, jar });
  expect(login.status).toBe(200);
  return {
    email,
    jar,
    login,
    csrf: login.body.csrf_token as string,
    access: login.body.access_token as string,
  };
}

const refresh = (jar: CookieJar, csrf: string | undefined, headers: Record<string, string> = {}) =>
  server.call("POST", "/auth/refresh", {
    jar,
    headers: csrf === undefined ? headers : { "x-csrf-token": csrf, ...headers },
  });

describe("register", () => {
  it("creates an account: 201 {user:{id,email}}", async () => {
    const email = uniqueEmail();
    const res = await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ user: { id: expect.any(String), email } });
  });

  it("refuses a taken e-mail with 409 email_taken", async () => {
    const email = uniqueEmail();
    await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
    const res = await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe("email_taken");
  });

  it("refuses a weak password (400 weak_password) and invalid input (400)", async () => {
    const weak = await server.call("POST", "/auth/register", {
      json: { email: uniqueEmail(), password: "short" },
    });
    expect(weak.status).toBe(400);
    expect(weak.body.error).toBe("weak_password");
    const bad = await server.call("POST", "/auth/register", {
      json: { email: "not-an-email", password: STRONG_PASSWORD },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe("invalid_input");
    const missing = await server.call("POST", "/auth/register", { json: { email: uniqueEmail() } });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe("invalid_request");
  });

  it("answers 403 registration_closed when registration is closed", async () => {
    const closed = await startTestServer({ TESSERA_REGISTRATION: "closed" });
    try {
      const res = await closed.call("POST", "/auth/register", {
        json: { email: uniqueEmail(), password: STRONG_PASSWORD },
      });
      expect(res.status).toBe(403);
      expect(res.body.error).toBe("registration_closed");
    } finally {
      await closed.close();
    }
  });
});

describe("login", () => {
  it("answers the token body and sets the refresh cookie with exactly the documented attributes", async () => {
    const { login, email } = await loggedIn();
    expect(login.body).toEqual({
      access_token: expect.any(String),
      token_type: "Bearer",
      expires_in: 900,
      csrf_token: expect.any(String),
      scope: "",
      user: { id: expect.any(String), email, roles: [] },
    });
    expect(login.body.refresh_token).toBeUndefined();
    expect(login.headers.get("cache-control")).toBe("no-store");
    expect(login.headers.get("pragma")).toBe("no-cache");
    expect(login.setCookies).toHaveLength(1);
    const cookie = parseSetCookie(login.setCookies[0] ?? "", new URL(server.url));
    expect(cookie?.name).toBe(REFRESH_COOKIE);
    expect([...(cookie?.attributes.keys() ?? [])].sort()).toEqual([
      "httponly",
      "max-age",
      "path",
      "samesite",
      "secure",
    ]);
    expect(cookie?.attributes.get("path")).toBe("/auth");
    expect(cookie?.attributes.get("samesite")).toBe("Strict");
    // 30 days, the session's remaining lifetime (never longer).
    const maxAge = Number(cookie?.attributes.get("max-age"));
    expect(maxAge).toBeLessThanOrEqual(30 * 86_400);
    expect(maxAge).toBeGreaterThan(30 * 86_400 - 60);
  });

  it("answers an unknown e-mail and a wrong password identically (status, headers, body)", async () => {
    const { email } = await loggedIn();
    const wrong = await server.call("POST", "/auth/login", {
      json: { email, password: "wrong password 123" },
    });
    const unknown = await server.call("POST", "/auth/login", {
      json: { email: uniqueEmail("nobody"), password: "wrong password 123" },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.text).toBe(unknown.text);
    expect(wrong.body.error).toBe("invalid_credentials");
    const headersOf = (h: Headers) => [...h.entries()].filter(([name]) => name !== "date");
    expect(headersOf(wrong.headers)).toEqual(headersOf(unknown.headers));
    expect(wrong.setCookies).toEqual([]);
  });

  it("delivers the refresh token in the body, without a cookie, when asked (native clients)", async () => {
    const email = uniqueEmail();
    await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
    const res = await server.call("POST", "/auth/login", {
      json: { email, password: STRONG_PASSWORD, token_delivery: "body" },
    });
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).toEqual(expect.any(String));
    expect(res.setCookies).toEqual([]);
    const bad = await server.call("POST", "/auth/login", {
      json: { email, password: STRONG_PASSWORD, token_delivery: "url" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe("invalid_request");
  });
});

describe("refresh", () => {
  it("rotates the cookie and answers the same shape with the same CSRF token", async () => {
    const { jar, csrf, email } = await loggedIn();
    const before = jar.get(REFRESH_COOKIE)?.value;
    const res = await refresh(jar, csrf);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: "Bearer",
      expires_in: 900,
      csrf_token: csrf,
      scope: "",
      user: { id: expect.any(String), email, roles: [] },
    });
    expect(res.headers.get("cache-control")).toBe("no-store");
    const after = jar.get(REFRESH_COOKIE)?.value;
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    const me = await server.call("GET", "/auth/me", { bearer: res.body.access_token });
    expect(me.status).toBe(200);
  });

  it("treats a spent cookie presented outside the grace window as reuse: 401, and the successor dies", async () => {
    const quick = await startTestServer({ TESSERA_REFRESH_GRACE: "0s" });
    try {
      const email = uniqueEmail();
      await quick.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
      const jar = new CookieJar();
      const login = await quick.call("POST", "/auth/login", {
        json: { email, password: STRONG_PASSWORD },
        jar,
      });
      const csrf = login.body.csrf_token as string;
      const spent = jar.get(REFRESH_COOKIE);
      const first = await quick.call("POST", "/auth/refresh", { jar, headers: { "x-csrf-token": csrf } });
      expect(first.status).toBe(200);
      const successor = jar.get(REFRESH_COOKIE);

      const thief = new CookieJar();
      if (spent) thief.set(spent);
      const reuse = await quick.call("POST", "/auth/refresh", {
        jar: thief,
        headers: { "x-csrf-token": csrf },
      });
      expect(reuse.status).toBe(401);
      expect(reuse.body.error).toBe("refresh_reused");
      // The cookie is cleared with the same attributes.
      expect(reuse.setCookies[0]).toMatch(
        /^__Secure-tessera_refresh=; Max-Age=0; Path=\/auth; Expires=.*; HttpOnly; Secure; SameSite=Strict$/,
      );

      const legit = new CookieJar();
      if (successor) legit.set(successor);
      const after = await quick.call("POST", "/auth/refresh", {
        jar: legit,
        headers: { "x-csrf-token": csrf },
      });
      expect(after.status).toBe(401);
      const me = await quick.call("GET", "/auth/me", { bearer: first.body.access_token });
      expect(me.status).toBe(401);
    } finally {
      await quick.close();
    }
  });

  it("answers a re-presentation within the grace window with the same successor", async () => {
    const { jar, csrf } = await loggedIn();
    const spent = jar.get(REFRESH_COOKIE);
    const first = await refresh(jar, csrf);
    expect(first.status).toBe(200);
    const successor = jar.get(REFRESH_COOKIE)?.value;

    const racer = new CookieJar();
    if (spent) racer.set(spent);
    const second = await refresh(racer, csrf);
    expect(second.status).toBe(200);
    expect(racer.get(REFRESH_COOKIE)?.value).toBe(successor);
    // The one live token still works for both.
    expect((await refresh(jar, csrf)).status).toBe(200);
  });

  it("refuses a missing, wrong or other session's CSRF token with 403 and consumes nothing", async () => {
    const a = await loggedIn();
    const b = await loggedIn();
    const cookie = a.jar.get(REFRESH_COOKIE)?.value;
    for (const csrf of [undefined, "wrong-csrf-token-value", b.csrf]) {
      const res = await refresh(a.jar, csrf);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe("csrf_failed");
      expect(res.setCookies).toEqual([]);
      expect(a.jar.get(REFRESH_COOKIE)?.value).toBe(cookie);
    }
    const ok = await refresh(a.jar, a.csrf);
    expect(ok.status).toBe(200);
  });

  it("refuses a foreign Origin with 403 and consumes nothing; allowed and own origins pass", async () => {
    const { jar, csrf } = await loggedIn();
    const evil = await refresh(jar, csrf, { origin: "https://evil.example" });
    expect(evil.status).toBe(403);
    expect(evil.body.error).toBe("origin_not_allowed");
    const nullOrigin = await refresh(jar, csrf, { origin: "null" });
    expect(nullOrigin.status).toBe(403);
    expect((await refresh(jar, csrf, { origin: APP_ORIGIN })).status).toBe(200);
    expect((await refresh(jar, csrf, { origin: server.url })).status).toBe(200);
  });

  it("answers 401 refresh_invalid without a cookie", async () => {
    const res = await refresh(new CookieJar(), "anything-at-all");
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("refresh_invalid");
  });

  it("drops a cookie value we never set (401 on refresh, 204 on logout, cleared both times)", async () => {
    const bogus = `${REFRESH_COOKIE}=${encodeURIComponent("not a token \u00e9")}`;
    const res = await server.call("POST", "/auth/refresh", {
      headers: { "x-csrf-token": "x", cookie: bogus },
    });
    expect(res.status).toBe(401);
    expect(res.setCookies[0]).toMatch(/^__Secure-tessera_refresh=; Max-Age=0; Path=\/auth;/);
    const out = await server.call("POST", "/auth/logout", {
      headers: { "x-csrf-token": "x", cookie: bogus },
    });
    expect(out.status).toBe(204);
    expect(out.setCookies[0]).toMatch(/^__Secure-tessera_refresh=; Max-Age=0; Path=\/auth;/);
  });

  it("refuses two refresh cookies at once (a cookie tossed in beside ours)", async () => {
    const { jar, csrf } = await loggedIn();
    const value = jar.get(REFRESH_COOKIE)?.value ?? "";
    const res = await server.call("POST", "/auth/refresh", {
      headers: {
        "x-csrf-token": csrf,
        cookie: `${REFRESH_COOKIE}=attacker.value; ${REFRESH_COOKIE}=${value}`,
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_request");
    expect((await refresh(jar, csrf)).status).toBe(200);
  });
});

describe("csrf recovery", () => {
  it("returns the session's CSRF token for the cookie (after a page reload)", async () => {
    const { jar, csrf } = await loggedIn();
    const res = await server.call("GET", "/auth/csrf", { jar });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ csrf_token: csrf });
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.text).not.toContain(jar.get(REFRESH_COOKIE)?.value ?? "<none>");
    const foreign = await server.call("GET", "/auth/csrf", {
      jar,
      headers: { origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(403);
    const none = await server.call("GET", "/auth/csrf", {});
    expect(none.status).toBe(401);
  });
});

describe("logout", () => {
  it("revokes the family, answers 204 and clears the cookie with the same attributes", async () => {
    const { jar, csrf, access } = await loggedIn();
    const kept = jar.get(REFRESH_COOKIE);
    const res = await server.call("POST", "/auth/logout", { jar, headers: { "x-csrf-token": csrf } });
    expect(res.status).toBe(204);
    expect(res.setCookies).toHaveLength(1);
    expect(res.setCookies[0]).toMatch(
      /^__Secure-tessera_refresh=; Max-Age=0; Path=\/auth; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict$/,
    );
    expect(jar.get(REFRESH_COOKIE)).toBeUndefined();
    const replay = new CookieJar();
    if (kept) replay.set(kept);
    expect((await refresh(replay, csrf)).status).toBe(401);
    expect((await server.call("GET", "/auth/me", { bearer: access })).status).toBe(401);
  });

  it("refuses a wrong CSRF token with 403 and leaves the session alive", async () => {
    const { jar, csrf } = await loggedIn();
    const res = await server.call("POST", "/auth/logout", {
      jar,
      headers: { "x-csrf-token": "nope-nope-nope" },
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe("csrf_failed");
    expect((await refresh(jar, csrf)).status).toBe(200);
  });

  it("is idempotent without a cookie", async () => {
    const res = await server.call("POST", "/auth/logout", {});
    expect(res.status).toBe(204);
  });
});

describe("CORS", () => {
  it("grants credentialed CORS to allowed origins only, never *", async () => {
    const pre = await server.call("OPTIONS", "/auth/refresh", {
      headers: {
        origin: APP_ORIGIN,
        "access-control-request-method": "POST",
        "access-control-request-headers": "x-csrf-token",
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe(APP_ORIGIN);
    expect(pre.headers.get("access-control-allow-credentials")).toBe("true");
    expect(pre.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("x-csrf-token");
    const evil = await server.call("OPTIONS", "/auth/refresh", {
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
  });
});

it("wrote no token, CSRF token or password to the log or the audit trail", async () => {
  const audit = JSON.stringify(await server.store.listAudit({ limit: 10_000 }));
  expect(leakedSecrets(audit)).toEqual([]);
});
