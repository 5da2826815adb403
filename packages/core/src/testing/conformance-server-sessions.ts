import { describe, expect, it } from "vitest";
import type { ServerSessionCheck, ServerSessionRecord, Store } from "../store.js";
import { DAY, makeSession, makeUser, randomId, seedSession, T0 } from "./conformance-fixtures.js";

const IDLE = 60 * 60_000;

function makeServerSession(
  userId: string,
  overrides: Partial<ServerSessionRecord> = {},
): ServerSessionRecord {
  return {
    ...makeSession(userId, { scope: null, dpopJkt: null, dpopBoundAt: null }),
    kind: "server",
    secretHash: randomId("hash"),
    idleTimeoutMs: IDLE,
    remember: false,
    ...overrides,
  };
}

async function seedServerSession(store: Store, overrides: Partial<ServerSessionRecord> = {}) {
  const user = makeUser({ roles: ["admin"] });
  await store.createUser(user);
  const session = makeServerSession(user.id, overrides);
  if (!(await store.createServerSession(session, 0)))
    throw new Error("the fixture server session was not created");
  return { user, session };
}

/** What `checkServerSession` must answer: `getServerSession`'s answer, narrowed to a check's fields. */
async function expectCheckAgrees(store: Store, id: string): Promise<ServerSessionCheck | null> {
  const [full, check] = await Promise.all([store.getServerSession(id), store.checkServerSession(id)]);
  if (full === null) {
    expect(check).toBeNull();
    return null;
  }
  const { session, user } = full;
  expect(check).toEqual({
    session: {
      id: session.id,
      userId: session.userId,
      secretHash: session.secretHash,
      createdAt: session.createdAt,
      expiresAt: session.expiresAt,
      lastUsedAt: session.lastUsedAt,
      idleTimeoutMs: session.idleTimeoutMs,
      revokedAt: session.revokedAt,
    },
    user: { id: user.id, email: user.email, roles: user.roles, disabledAt: user.disabledAt },
  });
  return check;
}

/** Server sessions: rows of the sessions table of kind `server`, reached by every revocation path. */
export function describeServerSessions(getStore: () => Store, getStores?: () => Store[]): void {
  describe("server sessions", () => {
    it("creates one behind the credential fence and reads it with its user in one call", async () => {
      const store = getStore();
      const { user, session } = await seedServerSession(store);
      const found = await store.getServerSession(session.id);
      expect(found).toEqual({ session: { ...session, dpopBoundAt: null }, user });
      expect(await store.getSession(session.id)).toMatchObject({ id: session.id, kind: "server" });
      expect((await store.listActiveSessions(user.id, T0 + 1000)).map((s) => [s.id, s.kind])).toEqual([
        [session.id, "server"],
      ]);

      // A stale credential version or an unknown user inserts nothing.
      const stale = makeServerSession(user.id);
      expect(await store.createServerSession(stale, 1)).toBe(false);
      expect(await store.getServerSession(stale.id)).toBeNull();
      const orphan = makeServerSession(makeUser().id);
      expect(await store.createServerSession(orphan, 0)).toBe(false);
      expect(await store.getSession(orphan.id)).toBeNull();
    });

    it("keeps whether a session was started with remember, true and false alike", async () => {
      const store = getStore();
      const kept = await seedServerSession(store, { remember: true });
      const plain = await seedServerSession(store, { remember: false });
      expect((await store.getServerSession(kept.session.id))?.session.remember).toBe(true);
      expect((await store.getServerSession(plain.session.id))?.session.remember).toBe(false);
      // Through a touch and a revocation, as stored: nothing else writes it.
      await store.touchServerSession({
        sessionId: kept.session.id,
        now: T0 + 60_000,
        ip: null,
        userAgent: null,
        lastUsedBefore: T0 + 1,
      });
      await store.revokeSession(kept.session.id, T0 + 70_000, "logout");
      expect((await store.getServerSession(kept.session.id))?.session).toMatchObject({
        remember: true,
        revokedAt: T0 + 70_000,
      });
      // Token sessions are untouched by it: their records have no such field.
      const { session: tokenSession } = await seedSession(store);
      expect(await store.getSession(tokenSession.id)).not.toHaveProperty("remember");
    });

    it("finds only sessions of kind server, and says token for the others", async () => {
      const store = getStore();
      const { session, token } = await seedSession(store);
      expect(await store.getServerSession(session.id)).toBeNull();
      expect(await store.getServerSession(randomId("ses"))).toBeNull();
      expect((await store.getSession(session.id))?.kind).toBe("token");
      expect((await store.getRefreshToken(token.id))?.session.kind).toBe("token");
    });

    it("checks a session with only what a validation reads, agreeing with the full read", async () => {
      const store = getStore();
      const now = T0 + 5000;
      const live = await seedServerSession(store);
      expect(await expectCheckAgrees(store, live.session.id)).toMatchObject({
        session: {
          id: live.session.id,
          userId: live.user.id,
          secretHash: live.session.secretHash,
          revokedAt: null,
        },
        user: { id: live.user.id, email: live.user.email, roles: ["admin"], disabledAt: null },
      });

      await store.changeUserRoles({ userId: live.user.id, add: ["editor"], remove: [], maxRoles: 10, now });
      expect((await expectCheckAgrees(store, live.session.id))?.user.roles).toEqual(["admin", "editor"]);

      const revoked = await seedServerSession(store);
      await store.revokeSession(revoked.session.id, now, "logout");
      expect((await expectCheckAgrees(store, revoked.session.id))?.session.revokedAt).toBe(now);

      const disabled = await seedServerSession(store);
      await store.changeCredentials({
        userId: disabled.user.id,
        now,
        reason: "user_disabled",
        disabledAt: now,
      });
      expect((await expectCheckAgrees(store, disabled.session.id))?.user.disabledAt).toBe(now);

      const deleted = await seedServerSession(store);
      await store.deleteUser(deleted.user.id, now);
      expect(await expectCheckAgrees(store, deleted.session.id)).toBeNull();

      expect(await expectCheckAgrees(store, randomId("ses"))).toBeNull();
      const { session: tokenSession } = await seedSession(store);
      expect(await store.checkServerSession(tokenSession.id)).toBeNull();
    });

    it("touches a live session once per interval: a compare-and-set on the last use", async () => {
      const store = getStore();
      const { session } = await seedServerSession(store);
      const touch = (now: number, lastUsedBefore: number) =>
        store.touchServerSession({
          sessionId: session.id,
          now,
          ip: "203.0.113.9",
          userAgent: "UA/2",
          lastUsedBefore,
        });
      // Not due yet: the stored last use (T0) is not below the bound.
      expect(await touch(T0 + 10, T0)).toBe(false);
      // Due: of several concurrent touches for one interval, exactly one writes.
      const due = await Promise.all([1, 2, 3, 4].map(() => touch(T0 + 60_000, T0 + 1)));
      expect(due.filter(Boolean)).toHaveLength(1);
      const after = (await store.getServerSession(session.id))?.session;
      expect(after).toMatchObject({ lastUsedAt: T0 + 60_000, lastIp: "203.0.113.9", lastUserAgent: "UA/2" });
      // A touch without client context keeps the stored one (the caller does not read it first).
      const bare = { sessionId: session.id, now: T0 + 120_000, ip: null, userAgent: null };
      expect(await store.touchServerSession({ ...bare, lastUsedBefore: T0 + 60_001 })).toBe(true);
      expect((await store.getServerSession(session.id))?.session).toMatchObject({
        lastUsedAt: T0 + 120_000,
        lastIp: "203.0.113.9",
        lastUserAgent: "UA/2",
      });
      const partial = { ...bare, now: T0 + 180_000, ip: "198.51.100.4", lastUsedBefore: T0 + 120_001 };
      expect(await store.touchServerSession(partial)).toBe(true);
      expect((await store.getServerSession(session.id))?.session).toMatchObject({
        lastIp: "198.51.100.4",
        lastUserAgent: "UA/2",
      });
      await store.revokeSession(session.id, T0 + 70_000, "logout");
      expect(await touch(T0 + 400_000, T0 + 300_000)).toBe(false);
    });

    it("is ended by every revocation path of the token mode", async () => {
      const store = getStore();
      const now = T0 + 5000;
      const one = await seedServerSession(store);
      expect(await store.revokeSession(one.session.id, now, "logout")).toBe(true);
      expect((await store.getServerSession(one.session.id))?.session).toMatchObject({
        revokedAt: now,
        revokedReason: "logout",
      });

      const all = await seedServerSession(store);
      const { revokedSessionIds } = await store.revokeUserSessions({
        userId: all.user.id,
        now,
        reason: "logout_all",
      });
      expect(revokedSessionIds).toEqual([all.session.id]);
      expect((await store.getServerSession(all.session.id))?.session.revokedAt).toBe(now);

      const changed = await seedServerSession(store);
      const result = await store.changeCredentials({
        userId: changed.user.id,
        now,
        reason: "password_changed",
      });
      expect(result?.revokedSessionIds).toEqual([changed.session.id]);
      expect((await store.getServerSession(changed.session.id))?.user.credentialVersion).toBe(1);

      const deleted = await seedServerSession(store);
      expect(await store.deleteUser(deleted.user.id, now)).toBe(true);
      expect(await store.getServerSession(deleted.session.id)).toBeNull();
    });

    it("leaves a session idle past its timeout out of the device list, and purges it", async () => {
      const store = getStore();
      // A far-past range of its own, so that this purge touches no other test's rows.
      const TI = Date.UTC(1995, 0, 1);
      const { user, session } = await seedServerSession(store, {
        createdAt: TI,
        lastUsedAt: TI,
        expiresAt: TI + 30 * DAY,
        idleTimeoutMs: 1000,
      });
      expect(await store.listActiveSessions(user.id, TI + 999)).toHaveLength(1);
      expect(await store.listActiveSessions(user.id, TI + 1000)).toEqual([]);
      await store.purge({ now: TI + 1000, sealedBefore: 0, revocationsBefore: 0, auditBefore: 0 });
      expect(await store.getServerSession(session.id)).toBeNull();
    });

    it.runIf(getStores)(
      "across connections, a session started racing a credential change is never left live",
      async () => {
        const [a, sibling] = getStores?.() ?? [];
        if (!a) throw new Error("no stores");
        const b = sibling ?? a;
        for (let round = 0; round < 20; round++) {
          const user = makeUser();
          await a.createUser(user);
          const session = makeServerSession(user.id);
          const [created] = await Promise.all([
            a.createServerSession(session, 0),
            b.changeCredentials({ userId: user.id, now: T0 + 1, reason: "password_changed" }),
          ]);
          const stored = await a.getServerSession(session.id);
          if (created) expect(stored?.session.revokedAt).toBe(T0 + 1);
          else expect(stored).toBeNull();
        }
      },
    );
  });
}
