import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CTX, type Harness, outcome, PASSWORD, setUp } from "../test-support/harness.js";

const NEW_PASSWORD = "another long passphrase";
let h: Harness;
let n = 0;

beforeEach(async () => {
  h = await setUp({ roles: { admin: ["users:write", "users:read"], reader: ["users:read"] } });
});
afterEach(() => h.close());

async function userAndSession(
  options: { idleTimeoutMs?: number; roles?: string[]; remember?: boolean } = {},
) {
  const email = `server${++n}@example.com`;
  await h.tessera.adminCreateUser(email, PASSWORD, { roles: options.roles ?? ["admin"] });
  const started = await h.tessera.sessions.login({ email, password: PASSWORD, context: CTX, ...options });
  return { email, started };
}

describe("server sessions", () => {
  it("opens with a tss_ cookie of a 256-bit secret, of which only the SHA-256 is stored", async () => {
    const { started, email } = await userAndSession();
    const match = /^tss_([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/.exec(started.cookieValue);
    expect(match).not.toBeNull();
    const [, id, secret] = match as unknown as [string, string, string];
    expect(Buffer.from(secret, "base64url")).toHaveLength(32);
    expect(started.session.id).toBe(id);
    const stored = await h.store.getServerSession(id);
    expect(stored?.session.secretHash).toBe(createHash("sha256").update(secret).digest("base64url"));
    expect(JSON.stringify(stored)).not.toContain(secret);

    const found = await h.tessera.sessions.validate(started.cookieValue, CTX);
    expect(found?.user).toEqual({
      id: started.user.id,
      email,
      roles: ["admin"],
      scope: ["users:read", "users:write"],
    });
    expect(found?.session.csrfToken).toBe(started.session.csrfToken);
    const listed = await h.tessera.adminListSessions(email);
    expect(listed.map((s) => [s.id, s.kind])).toEqual([[id, "server"]]);
  });

  it("answers null, never throwing, for malformed, unknown and forged values", async () => {
    const { started } = await userAndSession();
    const [head, secret] = started.cookieValue.split(".") as [string, string];
    const forged = `${head}.${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`;
    const unknown = `tss_00000000-0000-4000-8000-000000000000.${secret}`;
    for (const value of [
      undefined,
      null,
      42,
      "",
      "tss_",
      forged,
      unknown,
      `${started.cookieValue}x`,
      "x".repeat(5000),
    ]) {
      expect(await h.tessera.sessions.validate(value)).toBeNull();
    }
  });

  it("ends at the idle timeout and at the absolute lifetime; writes the last use once per interval", async () => {
    const { started } = await userAndSession({ idleTimeoutMs: 60 * 60_000 });
    const lastUsed = async () => (await h.store.getServerSession(started.session.id))?.session.lastUsedAt;
    const t0 = h.clock.now();
    h.clock.advance(59_999);
    expect(await h.tessera.sessions.validate(started.cookieValue)).not.toBeNull();
    expect(await lastUsed()).toBe(t0); // under a minute: nothing written
    h.clock.advance(1);
    expect(await h.tessera.sessions.validate(started.cookieValue)).not.toBeNull();
    expect(await lastUsed()).toBe(t0 + 60_000);
    // Idle: one hour after the last recorded use the session is dead.
    h.clock.advance(60 * 60_000);
    expect(await h.tessera.sessions.validate(started.cookieValue)).toBeNull();

    // Absolute: kept busy, it still ends at sessionMaxAgeMs (30 days).
    const busy = await userAndSession({ idleTimeoutMs: 2 * 24 * 60 * 60_000 });
    for (let day = 0; day < 29; day++) {
      h.clock.advance(24 * 60 * 60_000);
      expect(await h.tessera.sessions.validate(busy.started.cookieValue)).not.toBeNull();
    }
    h.clock.advance(24 * 60 * 60_000);
    expect(await h.tessera.sessions.validate(busy.started.cookieValue)).toBeNull();
  });

  it("records the client of a use, keeping the stored one for what validate is not told", async () => {
    const { started } = await userAndSession();
    const stored = async () => (await h.store.getServerSession(started.session.id))?.session;
    h.clock.advance(60_000);
    expect(await h.tessera.sessions.validate(started.cookieValue)).not.toBeNull();
    expect(await stored()).toMatchObject({
      lastUsedAt: h.clock.now(),
      lastIp: CTX.ip,
      lastUserAgent: CTX.userAgent,
    });
    h.clock.advance(60_000);
    const moved = { ip: "198.51.100.4", userAgent: null };
    expect(await h.tessera.sessions.validate(started.cookieValue, moved)).not.toBeNull();
    expect(await stored()).toMatchObject({
      lastUsedAt: h.clock.now(),
      lastIp: "198.51.100.4",
      lastUserAgent: CTX.userAgent,
    });
  });

  it("computes the CSRF token when read, once, as a plain string property of the session", async () => {
    const { started } = await userAndSession();
    const found = await h.tessera.sessions.validate(started.cookieValue, CTX);
    const session = found?.session;
    if (!session) throw new Error("no session");
    const token = session.csrfToken;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token).toBe(started.session.csrfToken);
    expect(session.csrfToken).toBe(token);
    expect(Object.keys(session)).toContain("csrfToken");
    expect(JSON.parse(JSON.stringify(session))).toEqual({ ...session, csrfToken: token });
    expect(structuredClone({ ...session }).csrfToken).toBe(token);
    // Another session's token differs; a token outlives nothing but its session.
    const other = await userAndSession();
    expect(other.started.session.csrfToken).not.toBe(token);
  });

  it("a short idle timeout writes the last use at a quarter of it", async () => {
    const { started } = await userAndSession({ idleTimeoutMs: 20_000 });
    const t0 = h.clock.now();
    h.clock.advance(4_999);
    await h.tessera.sessions.validate(started.cookieValue);
    expect((await h.store.getServerSession(started.session.id))?.session.lastUsedAt).toBe(t0);
    h.clock.advance(1);
    await h.tessera.sessions.validate(started.cookieValue);
    expect((await h.store.getServerSession(started.session.id))?.session.lastUsedAt).toBe(t0 + 5_000);
  });

  it("logs in with the token login's checks and audit events, and replaces a cookie still present", async () => {
    const { email, started } = await userAndSession();
    expect(
      await outcome(h.tessera.sessions.login({ email, password: "wrong password!", context: CTX })),
    ).toBe("invalid_credentials");
    const again = await h.tessera.sessions.login({
      email,
      password: PASSWORD,
      context: CTX,
      replaces: started.cookieValue,
    });
    expect(again.session.id).not.toBe(started.session.id);
    expect(await h.tessera.sessions.validate(started.cookieValue)).toBeNull();
    expect(await h.tessera.sessions.validate(again.cookieValue)).not.toBeNull();
    const types = (await h.tessera.listAudit({ userId: started.user.id, limit: 100 })).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["login.succeeded", "login.failed", "session.revoked"]));

    await h.tessera.adminSetDisabled(email, true);
    expect(await h.tessera.sessions.validate(again.cookieValue)).toBeNull();
    expect(await outcome(h.tessera.sessions.login({ email, password: PASSWORD, context: CTX }))).toBe(
      "account_disabled",
    );
  });

  it("logout, logout-all, admin revoke, disable and delete end it at the next validation", async () => {
    const revokers: Array<(email: string, sessionId: string, cookie: string) => Promise<unknown>> = [
      (_e, _s, cookie) => h.tessera.sessions.logout(cookie, CTX),
      (email) => h.tessera.adminRevokeUserSessions(email),
      (_e, sessionId) => h.tessera.adminRevokeSession(sessionId),
      (email) => h.tessera.adminSetDisabled(email, true),
      (email) => h.tessera.adminDeleteUser(email),
      async (email) =>
        h.tessera.adminUpdateUser((await h.tessera.adminGetUser(email)).id, { password: NEW_PASSWORD }),
    ];
    for (const revoke of revokers) {
      const { email, started } = await userAndSession();
      expect(await h.tessera.sessions.validate(started.cookieValue)).not.toBeNull();
      await revoke(email, started.session.id, started.cookieValue);
      expect(await h.tessera.sessions.validate(started.cookieValue)).toBeNull();
    }
  });

  it("a role removal applies at the next validation", async () => {
    const { email, started } = await userAndSession();
    await h.tessera.adminChangeRoles(email, { remove: ["admin"], add: ["reader"] });
    const found = await h.tessera.sessions.validate(started.cookieValue);
    expect(found?.user).toMatchObject({ roles: ["reader"], scope: ["users:read"] });
  });

  it("a password change ends every session, the caller's too, and starts a new one", async () => {
    const { email, started } = await userAndSession();
    const other = await h.tessera.sessions.login({ email, password: PASSWORD, context: CTX });
    expect(
      await outcome(
        h.tessera.sessions.changePassword(started.session.id, {
          currentPassword: "wrong password!",
          newPassword: NEW_PASSWORD,
          context: CTX,
        }),
      ),
    ).toBe("invalid_credentials");
    const next = await h.tessera.sessions.changePassword(started.session.id, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      context: CTX,
    });
    expect(next.session.id).not.toBe(started.session.id);
    expect(next.cookieValue).not.toBe(started.cookieValue);
    expect(await h.tessera.sessions.validate(started.cookieValue)).toBeNull();
    expect(await h.tessera.sessions.validate(other.cookieValue)).toBeNull();
    expect(await h.tessera.sessions.validate(next.cookieValue)).not.toBeNull();
    // The old session cannot change the password again.
    expect(
      await outcome(
        h.tessera.sessions.changePassword(started.session.id, {
          currentPassword: NEW_PASSWORD,
          newPassword: PASSWORD,
          context: CTX,
        }),
      ),
    ).toBe("session_revoked");
  });

  it("keeps remember with the session and over a password change: the cookie's Max-Age", async () => {
    const change = (sessionId: string, from: string, to: string) =>
      h.tessera.sessions.changePassword(sessionId, { currentPassword: from, newPassword: to, context: CTX });
    const kept = await userAndSession({ remember: true, idleTimeoutMs: 60 * 60_000 });
    const lifetime = kept.started.session.expiresAt - kept.started.session.createdAt;
    expect(lifetime).toBeGreaterThan(0);
    expect(kept.started.cookieMaxAgeMs).toBe(lifetime);
    expect((await h.store.getServerSession(kept.started.session.id))?.session.remember).toBe(true);
    h.clock.advance(60_000);
    const next = await change(kept.started.session.id, PASSWORD, NEW_PASSWORD);
    // A fresh session, a fresh absolute lifetime, kept as the old one was.
    expect(next.cookieMaxAgeMs).toBe(next.session.expiresAt - next.session.createdAt);
    expect(next.cookieMaxAgeMs).toBe(lifetime);
    const stored = (await h.store.getServerSession(next.session.id))?.session;
    expect(stored).toMatchObject({ remember: true, idleTimeoutMs: 60 * 60_000 });

    const plain = await userAndSession();
    expect(plain.started.cookieMaxAgeMs).toBeUndefined();
    const plainNext = await change(plain.started.session.id, PASSWORD, NEW_PASSWORD);
    expect(plainNext.cookieMaxAgeMs).toBeUndefined();
    expect((await h.store.getServerSession(plainNext.session.id))?.session.remember).toBe(false);

    const login = { email: plain.email, password: NEW_PASSWORD, context: CTX };
    for (const remember of ["on", 1, null]) {
      expect(await outcome(h.tessera.sessions.login({ ...login, remember: remember as never }))).toBe(
        "invalid_input",
      );
    }
  });

  it("signs out one device of the same user only", async () => {
    const { email, started } = await userAndSession();
    const phone = await h.tessera.sessions.login({ email, password: PASSWORD, context: CTX });
    const stranger = await userAndSession();
    expect(
      await outcome(h.tessera.sessions.revoke(started.session.id, stranger.started.session.id, CTX)),
    ).toBe("not_found");
    expect(await h.tessera.sessions.validate(stranger.started.cookieValue)).not.toBeNull();
    await h.tessera.sessions.revoke(started.session.id, phone.session.id, CTX);
    expect(await h.tessera.sessions.validate(phone.cookieValue)).toBeNull();
    const list = await h.tessera.sessions.list(started.session.id);
    expect(list.map((s) => [s.id, s.current])).toEqual([[started.session.id, true]]);
  });
});
