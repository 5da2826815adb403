import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CTX, type Harness, outcome, PASSWORD, setUp, signUpAndIn } from "../test-support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await setUp();
});
afterEach(async () => {
  await h.close();
});

const refresh = (refreshToken: string) => h.tessera.refresh({ refreshToken, context: CTX });
const alive = (accessToken: string) => outcome(h.tessera.authenticate(accessToken));

describe("logout and one-device revocation", () => {
  it("logout revokes the family only; unknown tokens are a no-op", async () => {
    const { email, tokens } = await signUpAndIn(h.tessera);
    const other = await h.tessera.login({ email, password: PASSWORD, context: CTX });
    await h.tessera.logout({ refreshToken: "tsr_nonsense", context: CTX });
    await h.tessera.logout({ refreshToken: tokens.refreshToken, context: CTX });
    expect(await outcome(refresh(tokens.refreshToken))).toBe("session_revoked");
    expect(await alive(tokens.accessToken)).toBe("token_revoked");
    expect(await alive(other.accessToken)).toBe("ok");
    await h.tessera.logout({ refreshToken: tokens.refreshToken, context: CTX }); // twice: still fine
    const events = await h.store.listAudit({ type: "session.revoked" });
    expect(events.map((e) => e.data.reason)).toEqual(["logout"]);
  });

  it("a user revokes their own other device, never someone else's", async () => {
    const { email, tokens: mine } = await signUpAndIn(h.tessera);
    const laptop = await h.tessera.login({ email, password: PASSWORD, context: CTX });
    const { tokens: stranger } = await signUpAndIn(h.tessera);
    const claims = await h.tessera.authenticate(mine.accessToken);
    const listed = await h.tessera.listSessions(claims);
    expect(listed.map((s) => [s.id, s.current]).sort()).toEqual(
      [
        [mine.sessionId, true],
        [laptop.sessionId, false],
      ].sort(),
    );
    expect(await outcome(h.tessera.revokeSession(claims, stranger.sessionId, CTX))).toBe("not_found");
    expect(await outcome(h.tessera.revokeSession(claims, "no-such-session", CTX))).toBe("not_found");
    await h.tessera.revokeSession(claims, laptop.sessionId, CTX);
    expect(await alive(laptop.accessToken)).toBe("token_revoked");
    expect(await alive(stranger.accessToken)).toBe("ok");
    expect(await alive(mine.accessToken)).toBe("ok");
    expect((await h.tessera.listSessions(claims)).map((s) => s.id)).toEqual([mine.sessionId]);
  });

  it("administrators list and revoke sessions", async () => {
    const { email, tokens } = await signUpAndIn(h.tessera);
    expect((await h.tessera.adminListSessions(email)).map((s) => s.id)).toEqual([tokens.sessionId]);
    expect(await h.tessera.adminRevokeSession(tokens.sessionId)).toBe(true);
    expect(await h.tessera.adminRevokeSession(tokens.sessionId)).toBe(false);
    expect(await h.tessera.adminRevokeSession("nope")).toBe(false);
    expect(await alive(tokens.accessToken)).toBe("token_revoked");
    expect(await outcome(h.tessera.adminListSessions("nobody@example.com"))).toBe("not_found");
  });
});

describe("logout everywhere", () => {
  it("revokes every family of the user and bumps the epoch, and nobody else's", async () => {
    const { email, tokens: a } = await signUpAndIn(h.tessera);
    const b = await h.tessera.login({ email, password: PASSWORD, context: CTX });
    const { tokens: stranger } = await signUpAndIn(h.tessera);
    await h.tessera.logoutAll(await h.tessera.authenticate(a.accessToken), CTX);
    for (const set of [a, b]) {
      expect(await alive(set.accessToken)).toBe("token_revoked");
      expect(await outcome(refresh(set.refreshToken))).toBe("session_revoked");
    }
    expect(await alive(stranger.accessToken)).toBe("ok");
    expect((await h.store.getUserById(a.user.id))?.tokenEpoch).toBe(1);
    expect(await h.store.listAudit({ type: "user.logout_all" })).toHaveLength(1);
  });
});

describe("RFC 7009 revocation", () => {
  it("a refresh token revokes its family", async () => {
    const { tokens } = await signUpAndIn(h.tessera);
    await h.tessera.revokeToken(tokens.refreshToken, CTX);
    expect(await alive(tokens.accessToken)).toBe("token_revoked");
  });

  it("an access token, even an expired one, revokes its session", async () => {
    const { tokens } = await signUpAndIn(h.tessera);
    h.clock.advance(16 * 60_000);
    expect(await alive(tokens.accessToken)).toBe("token_expired");
    await h.tessera.revokeToken(tokens.accessToken, CTX);
    expect(await outcome(refresh(tokens.refreshToken))).toBe("session_revoked");
  });

  it("anything else is a no-op", async () => {
    const { tokens } = await signUpAndIn(h.tessera);
    const [id] = tokens.refreshToken.split(".");
    const [head, body] = tokens.accessToken.split(".");
    for (const junk of ["", "garbage", `${id}.${"A".repeat(43)}`, `${head}.${body}.AAAA`, "a.b.c"]) {
      await h.tessera.revokeToken(junk, CTX);
    }
    expect(await alive(tokens.accessToken)).toBe("ok");
    expect(await outcome(refresh(tokens.refreshToken))).toBe("ok");
  });
});

describe("RFC 7662 introspection", () => {
  it("answers active with claims for a live access token, inactive once revoked or expired", async () => {
    const { tokens } = await signUpAndIn(h.tessera);
    expect(await h.tessera.introspect(tokens.accessToken)).toMatchObject({
      active: true,
      token_type: "Bearer",
      sid: tokens.sessionId,
      sub: tokens.user.id,
    });
    h.clock.advance(15 * 60_000);
    expect(await h.tessera.introspect(tokens.accessToken)).toEqual({ active: false });
    expect(await h.tessera.introspect("garbage")).toEqual({ active: false });
  });

  it("answers for refresh tokens: active while current, inactive once used or revoked", async () => {
    const { tokens } = await signUpAndIn(h.tessera);
    expect(await h.tessera.introspect(tokens.refreshToken)).toMatchObject({
      active: true,
      token_type: "refresh_token",
      sid: tokens.sessionId,
    });
    const next = await refresh(tokens.refreshToken);
    expect(await h.tessera.introspect(tokens.refreshToken)).toEqual({ active: false });
    expect((await h.tessera.introspect(next.refreshToken)).active).toBe(true);
    await h.tessera.logout({ refreshToken: next.refreshToken, context: CTX });
    expect(await h.tessera.introspect(next.refreshToken)).toEqual({ active: false });
    expect(await h.tessera.introspect(next.accessToken)).toEqual({ active: false });
  });
});

describe("the revocation feed", () => {
  it("lists session and user revocations after a cursor, users collapsed to their latest epoch", async () => {
    const empty = await h.tessera.revocationFeed(undefined);
    expect(empty).toEqual({ cursor: "0", users: [], sessions: [], more: false });
    const { tokens } = await signUpAndIn(h.tessera);
    await h.tessera.logout({ refreshToken: tokens.refreshToken, context: CTX });
    const first = await h.tessera.revocationFeed(undefined);
    expect(first.sessions).toEqual([{ sid: tokens.sessionId, revoked_at: Math.ceil(h.clock.now() / 1000) }]);
    expect(first.users).toEqual([]);

    h.clock.advance(1500);
    const { email, tokens: t2 } = await signUpAndIn(h.tessera);
    await h.tessera.logoutAll(await h.tessera.authenticate(t2.accessToken), CTX);
    h.clock.advance(1200);
    const t3 = await h.tessera.login({ email, password: PASSWORD, context: CTX });
    await h.tessera.logoutAll(await h.tessera.authenticate(t3.accessToken), CTX);

    const later = await h.tessera.revocationFeed(first.cursor);
    expect(later.users).toEqual([{ sub: t2.user.id, not_before: Math.ceil(h.clock.now() / 1000), epoch: 2 }]);
    expect(later.sessions.map((s) => s.sid).sort()).toEqual([t2.sessionId, t3.sessionId].sort());
    expect(Number(later.cursor)).toBeGreaterThan(Number(first.cursor));
    expect(await h.tessera.revocationFeed(later.cursor)).toEqual({
      cursor: later.cursor,
      users: [],
      sessions: [],
      more: false,
    });
    expect((await h.tessera.revocationFeed(undefined)).sessions).toHaveLength(3);
  });

  it("without a cursor: a snapshot of every user's latest epoch and the sessions revoked within the access-token lifetime", async () => {
    const { tokens: old } = await signUpAndIn(h.tessera);
    await h.tessera.logout({ refreshToken: old.refreshToken, context: CTX });
    const { tokens: userWide } = await signUpAndIn(h.tessera);
    await h.tessera.logoutAll(await h.tessera.authenticate(userWide.accessToken), CTX);
    // Past the access-token lifetime (15 minutes) and the iat leeway: those sessions' tokens expired.
    h.clock.advance(15 * 60_000 + 61_000);
    const { tokens: recent } = await signUpAndIn(h.tessera);
    await h.tessera.logout({ refreshToken: recent.refreshToken, context: CTX });

    const snapshot = await h.tessera.revocationFeed(undefined);
    expect(snapshot.sessions.map((s) => s.sid)).toEqual([recent.sessionId]);
    expect(snapshot.users.map((u) => u.sub)).toEqual([userWide.user.id]);
    expect(snapshot.more).toBe(false);
    expect(await h.tessera.revocationFeed("0")).toEqual(snapshot);
    // The pages from the start still hold everything.
    const paged = await h.tessera.revocationFeed("1");
    expect(paged.cursor).toBe(snapshot.cursor);
    expect(await h.tessera.revocationFeed(snapshot.cursor)).toMatchObject({
      users: [],
      sessions: [],
      more: false,
    });
  });

  it.each(["", "abc", "-1", "1.5", "01", " 1", "1e3", "99999999999999999999"])(
    "refuses the cursor %j",
    async (since) => {
      expect(await outcome(h.tessera.revocationFeed(since))).toBe("invalid_input");
    },
  );
});

describe("CSRF tokens", () => {
  it("belong to the session, stay the same across refreshes, and differ between sessions", async () => {
    const { email, tokens } = await signUpAndIn(h.tessera);
    const other = await h.tessera.login({ email, password: PASSWORD, context: CTX });
    expect(other.csrfToken).not.toBe(tokens.csrfToken);
    expect(await h.tessera.csrfTokenFor(tokens.refreshToken)).toBe(tokens.csrfToken);
    const next = await refresh(tokens.refreshToken);
    expect(next.csrfToken).toBe(tokens.csrfToken);
    expect(await h.tessera.csrfTokenFor(next.refreshToken)).toBe(tokens.csrfToken);
    expect(await h.tessera.checkCsrf(next.refreshToken, tokens.csrfToken)).toBe(true);
    expect(await h.tessera.checkCsrf(next.refreshToken, other.csrfToken)).toBe(false);
    expect(await h.tessera.checkCsrf(next.refreshToken, "")).toBe(false);
    expect(await h.tessera.checkCsrf(next.refreshToken, `${tokens.csrfToken}=`)).toBe(false);
    expect(await h.tessera.checkCsrf("tsr_unknown", tokens.csrfToken)).toBe(false);
  });

  it("reading the CSRF token consumes nothing and is no reuse trigger", async () => {
    const { tokens } = await signUpAndIn(h.tessera);
    await h.tessera.csrfTokenFor(tokens.refreshToken);
    const next = await refresh(tokens.refreshToken);
    h.clock.advance(10_000);
    expect(await outcome(h.tessera.csrfTokenFor(tokens.refreshToken))).toBe("refresh_invalid");
    expect(await outcome(refresh(next.refreshToken))).toBe("ok");
    expect(await outcome(h.tessera.csrfTokenFor("garbage"))).toBe("refresh_invalid");
  });
});

describe("housekeeping", () => {
  it("purge drops expired sessions and old audit events, keeps live ones", async () => {
    const { tokens: old } = await signUpAndIn(h.tessera);
    h.clock.advance(31 * 24 * 3600_000);
    const { tokens: live } = await signUpAndIn(h.tessera);
    await h.tessera.purge();
    expect(await h.store.getSession(old.sessionId)).toBeNull();
    expect(await h.store.getSession(live.sessionId)).not.toBeNull();
    h.clock.advance(90 * 24 * 3600_000); // the second registration is now exactly at the retention edge
    await h.tessera.purge();
    const kept = await h.tessera.listAudit({ type: "user.registered" });
    expect(kept.map((e) => e.userId)).toEqual([live.user.id]);
  });
});
