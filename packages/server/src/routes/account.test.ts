import { ManualClock } from "@tessera/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REFRESH_COOKIE } from "../http/refresh-cookie.js";
import { CookieJar } from "../test-support/cookie-jar.js";
import {
  leakedSecrets,
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from "../test-support/test-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function login(email: string, password = STRONG_PASSWORD, target = server) {
  const jar = new CookieJar();
  const res = await target.call("POST", "/auth/login", { json: { email, password }, jar });
  expect(res.status).toBe(200);
  return {
    jar,
    access: res.body.access_token as string,
    csrf: res.body.csrf_token as string,
    userId: res.body.user.id,
  };
}

async function newUser(target = server) {
  const email = uniqueEmail();
  const reg = await target.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
  expect(reg.status).toBe(201);
  return email;
}

describe("GET /auth/me", () => {
  it("answers the user and the session of a valid access token", async () => {
    const email = await newUser();
    const { access, userId } = await login(email);
    const res = await server.call("GET", "/auth/me", { bearer: access });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: { id: userId, email, roles: [], email_verified: false },
      session: { id: expect.any(String), scope: "" },
    });
  });

  it("answers 401 with an RFC 6750 challenge: bare without credentials, invalid_token for a bad token", async () => {
    const none = await server.call("GET", "/auth/me");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe("Bearer");
    expect(none.body.error).toBe("token_missing");
    const bad = await server.call("GET", "/auth/me", { bearer: "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0." });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
    expect(bad.body.error).toBe("token_invalid");
    const basic = await server.call("GET", "/auth/me", { headers: { authorization: "Basic dXNlcjpwdw==" } });
    expect(basic.status).toBe(401);
    expect(basic.headers.get("www-authenticate")).toBe("Bearer");
    const malformed = await server.call("GET", "/auth/me", {
      headers: { authorization: "Bearer two parts" },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe("invalid_request");
  });

  it("refuses an access token after it expires (injected clock)", async () => {
    const clock = new ManualClock(Date.now());
    const timed = await startTestServer({ TESSERA_ACCESS_TOKEN_TTL: "2s" }, { clock });
    try {
      const email = await newUser(timed);
      const { access } = await login(email, STRONG_PASSWORD, timed);
      expect((await timed.call("GET", "/auth/me", { bearer: access })).status).toBe(200);
      clock.advance(60_000);
      const res = await timed.call("GET", "/auth/me", { bearer: access });
      expect(res.status).toBe(401);
      expect(res.body.error).toBe("token_expired");
      expect(res.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
    } finally {
      await timed.close();
    }
  });

  it("never reads a token from the query string", async () => {
    const email = await newUser();
    const { access } = await login(email);
    for (const name of ["access_token", "token", "refresh_token"]) {
      const res = await server.call("GET", `/auth/me?${name}=${access}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe("invalid_request");
      expect(res.text).not.toContain(access);
    }
  });
});

describe("POST /auth/logout-all", () => {
  it("answers 204 and makes every earlier access token and refresh cookie of the user fail", async () => {
    const email = await newUser();
    const a = await login(email);
    const b = await login(email);
    const res = await server.call("POST", "/auth/logout-all", { bearer: a.access });
    expect(res.status).toBe(204);
    for (const device of [a, b]) {
      const me = await server.call("GET", "/auth/me", { bearer: device.access });
      expect(me.status).toBe(401);
      expect(me.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
      const refresh = await server.call("POST", "/auth/refresh", {
        jar: device.jar,
        headers: { "x-csrf-token": device.csrf },
      });
      expect(refresh.status).toBe(401);
    }
    // A new login works.
    const c = await login(email);
    expect((await server.call("GET", "/auth/me", { bearer: c.access })).status).toBe(200);
  });

  it("answers 401 without a token", async () => {
    expect((await server.call("POST", "/auth/logout-all")).status).toBe(401);
  });
});

describe("POST /auth/password", () => {
  it("changes the password: other sessions die, earlier access tokens fail, the caller stays refreshable", async () => {
    const email = await newUser();
    const caller = await login(email);
    const other = await login(email);
    const newPassword = "an entirely new passphrase 7";
    const res = await server.call("POST", "/auth/password", {
      bearer: caller.access,
      json: { current_password: STRONG_PASSWORD, new_password: newPassword },
    });
    expect(res.status).toBe(204);
    expect((await server.call("GET", "/auth/me", { bearer: caller.access })).status).toBe(401);
    expect((await server.call("GET", "/auth/me", { bearer: other.access })).status).toBe(401);
    const otherRefresh = await server.call("POST", "/auth/refresh", {
      jar: other.jar,
      headers: { "x-csrf-token": other.csrf },
    });
    expect(otherRefresh.status).toBe(401);
    const callerRefresh = await server.call("POST", "/auth/refresh", {
      jar: caller.jar,
      headers: { "x-csrf-token": caller.csrf },
    });
    expect(callerRefresh.status).toBe(200);
    expect((await server.call("GET", "/auth/me", { bearer: callerRefresh.body.access_token })).status).toBe(
      200,
    );
    // Old password no longer logs in; the new one does.
    const old = await server.call("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD } });
    expect(old.status).toBe(401);
    await login(email, newPassword);
  });

  it("answers 401 for a wrong current password and 400 for a weak new one", async () => {
    const email = await newUser();
    const { access } = await login(email);
    const wrong = await server.call("POST", "/auth/password", {
      bearer: access,
      json: { current_password: "not my password", new_password: "an entirely new passphrase 7" },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe("invalid_credentials");
    const weak = await server.call("POST", "/auth/password", {
      bearer: access,
      json: { current_password: STRONG_PASSWORD, new_password: "short" },
    });
    expect(weak.status).toBe(400);
    expect(weak.body.error).toBe("weak_password");
    expect(weak.body.message).toBe(
      "The password must be 8–256 characters, not only spaces, and not the e-mail address.",
    );
    const missing = await server.call("POST", "/auth/password", { bearer: access, json: {} });
    expect(missing.status).toBe(400);
    expect((await server.call("POST", "/auth/password", { json: {} })).status).toBe(401);
  });
});

describe("sessions", () => {
  it("lists a server session of the user with kind server, and revokes it there", async () => {
    const email = await newUser();
    const current = await login(email);
    const user = await server.store.getUserByEmail(email);
    const now = Date.now();
    const id = crypto.randomUUID();
    const created = await server.store.createServerSession(
      {
        id,
        kind: "server",
        userId: user?.id ?? "",
        clientId: "tessera",
        scope: null,
        createdAt: now,
        expiresAt: now + 60_000,
        lastUsedAt: now,
        revokedAt: null,
        revokedReason: null,
        ip: "192.0.2.1",
        userAgent: "SSR",
        lastIp: "192.0.2.1",
        lastUserAgent: "SSR",
        dpopJkt: null,
        secretHash: "A".repeat(43),
        idleTimeoutMs: 60_000,
        remember: false,
      },
      user?.credentialVersion ?? -1,
    );
    expect(created).toBe(true);
    const listed = await server.call("GET", "/auth/sessions", { bearer: current.access });
    const kinds = listed.body.sessions.map((s: { id: string; kind: string }) => [s.id === id, s.kind]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        [true, "server"],
        [false, "token"],
      ]),
    );
    const revoked = await server.call("DELETE", `/auth/sessions/${id}`, { bearer: current.access });
    expect(revoked.status).toBe(204);
    expect((await server.store.getServerSession(id))?.session.revokedReason).toBe("revoked_by_user");
  });

  it("lists the caller's sessions with the current one marked", async () => {
    const email = await newUser();
    await login(email);
    const current = await login(email);
    const res = await server.call("GET", "/auth/sessions", { bearer: current.access });
    expect(res.status).toBe(200);
    expect(res.body.sessions).toHaveLength(2);
    const mine = res.body.sessions.filter((s: { current: boolean }) => s.current);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toEqual({
      id: expect.any(String),
      kind: "token",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      last_used_at: expect.any(String),
      expires_at: expect.any(String),
      user_agent: expect.any(String),
      ip: "127.0.0.1",
      last_user_agent: expect.any(String),
      last_ip: "127.0.0.1",
      current: true,
    });
    expect((await server.call("GET", "/auth/sessions")).status).toBe(401);
  });

  it("revokes one of the caller's own sessions (204) and answers 404 for another user's", async () => {
    const email = await newUser();
    const phone = await login(email);
    const laptop = await login(email);
    const list = await server.call("GET", "/auth/sessions", { bearer: laptop.access });
    const phoneSession = list.body.sessions.find((s: { current: boolean }) => !s.current).id as string;

    const stranger = await login(await newUser());
    const foreign = await server.call("DELETE", `/auth/sessions/${phoneSession}`, {
      bearer: stranger.access,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error).toBe("not_found");
    expect((await server.call("GET", "/auth/me", { bearer: phone.access })).status).toBe(200);

    const res = await server.call("DELETE", `/auth/sessions/${phoneSession}`, { bearer: laptop.access });
    expect(res.status).toBe(204);
    expect((await server.call("GET", "/auth/me", { bearer: phone.access })).status).toBe(401);
    expect((await server.call("GET", "/auth/me", { bearer: laptop.access })).status).toBe(200);
    const refresh = await server.call("POST", "/auth/refresh", {
      jar: phone.jar,
      headers: { "x-csrf-token": phone.csrf },
    });
    expect(refresh.status).toBe(401);
    expect((await server.call("DELETE", "/auth/sessions/unknown-id", { bearer: laptop.access })).status).toBe(
      404,
    );
    expect((await server.call("DELETE", `/auth/sessions/${phoneSession}`)).status).toBe(401);
  });
});

describe("DELETE /auth/account", () => {
  it("deletes the account: 204, the cookie cleared, every token dead, the e-mail free again", async () => {
    const email = await newUser();
    const a = await login(email);
    const b = await login(email);
    const wrong = await server.call("DELETE", "/auth/account", {
      bearer: a.access,
      json: { password: "not it at all" },
    });
    expect(wrong.status).toBe(401);
    const res = await server.call("DELETE", "/auth/account", {
      bearer: a.access,
      json: { password: STRONG_PASSWORD },
      jar: a.jar,
    });
    expect(res.status).toBe(204);
    expect(a.jar.get(REFRESH_COOKIE)).toBeUndefined();
    for (const device of [a, b]) {
      expect((await server.call("GET", "/auth/me", { bearer: device.access })).status).toBe(401);
    }
    const refresh = await server.call("POST", "/auth/refresh", {
      jar: b.jar,
      headers: { "x-csrf-token": b.csrf },
    });
    expect(refresh.status).toBe(401);
    expect(
      (await server.call("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD } })).status,
    ).toBe(401);
    expect(
      (await server.call("DELETE", "/auth/account", { json: { password: STRONG_PASSWORD } })).status,
    ).toBe(401);
  });
});

it("wrote no token, CSRF token or password to the log or the audit trail", async () => {
  const audit = JSON.stringify(await server.store.listAudit({ limit: 10_000 }));
  expect(leakedSecrets(audit)).toEqual([]);
});
