import { describe, expect, it } from "vitest";
import type { RevocationEvent, Store } from "../store.js";
import {
  addSession,
  latestCursor,
  makeSession,
  makeToken,
  makeUser,
  rotation,
  seedSession,
  T0,
} from "./conformance-fixtures.js";

const NEW_HASH = "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$ZmVuY2VkaGFzaA";

/** A session for `userId` and its first token, not yet stored. */
function fresh(userId: string) {
  const session = makeSession(userId);
  return { session, token: makeToken(session.id) };
}

async function eventsOf(store: Store, after: number, userId: string): Promise<RevocationEvent[]> {
  return (await store.listRevocations(after, 1000)).filter((e) => e.userId === userId);
}

/**
 * The credential fence: `createSession` inserts only under the credential version the login read,
 * and `changeCredentials` writes the hash, bumps both counters and revokes in one transaction.
 * `getConnections`, when given, answers two or more connections to one database.
 */
export function describeCredentialFence(
  getStore: () => Store,
  getConnections?: () => readonly Store[],
): void {
  /** Round-robin over the connections (one store without them). */
  const connections = () => {
    const stores = getConnections?.() ?? [getStore()];
    return { store: stores[0] as Store, at: (i: number) => stores[i % stores.length] as Store };
  };

  /** A new user and `count` logins of it, not yet stored. */
  const loginRace = async (count: number) => {
    const { store, at } = connections();
    const user = makeUser();
    await store.createUser(user);
    return { store, at, user, logins: Array.from({ length: count }, () => fresh(user.id)) };
  };

  describe("credential fence", () => {
    it("createSession inserts under the current credential version only, and for an existing user only", async () => {
      const store = getStore();
      const user = makeUser({ credentialVersion: 3 });
      await store.createUser(user);
      expect((await store.getUserById(user.id))?.credentialVersion).toBe(3);

      const stale = fresh(user.id);
      expect(await store.createSession(stale.session, stale.token, 2)).toBe(false);
      expect(await store.getSession(stale.session.id)).toBeNull();
      expect(await store.getRefreshToken(stale.token.id)).toBeNull();

      // An unknown (e.g. just deleted) user is a refusal, not a foreign-key failure.
      const orphan = fresh(makeUser().id);
      expect(await store.createSession(orphan.session, orphan.token, 0)).toBe(false);
      expect(await store.getSession(orphan.session.id)).toBeNull();

      const current = fresh(user.id);
      expect(await store.createSession(current.session, current.token, 3)).toBe(true);
      expect(await store.getRefreshToken(current.token.id)).toEqual(current);
    });

    it("changeCredentials writes the hash, bumps epoch and version, revokes all but one, in one step", async () => {
      const store = getStore();
      const { user, session: keep } = await seedSession(store, { user: { tokenEpoch: 5 } });
      const { session: other } = await addSession(store, user.id, { createdAt: T0 + 1 });
      const bystander = await seedSession(store);
      const before = await latestCursor(store);

      const result = await store.changeCredentials({
        userId: user.id,
        now: T0 + 1000,
        reason: "password_changed",
        passwordHash: NEW_HASH,
        exceptSessionId: keep.id,
      });

      expect(result).toEqual({ epoch: 6, credentialVersion: 1, revokedSessionIds: [other.id] });
      expect(await store.getUserById(user.id)).toEqual({
        ...user,
        passwordHash: NEW_HASH,
        tokenEpoch: 6,
        credentialVersion: 1,
      });
      expect(await store.getSession(keep.id)).toEqual(keep);
      expect(await store.getSession(other.id)).toMatchObject({
        revokedAt: T0 + 1000,
        revokedReason: "password_changed",
      });
      expect(await store.getSession(bystander.session.id)).toEqual(bystander.session);
      expect((await eventsOf(store, before, user.id)).map((e) => [e.kind, e.sessionId, e.epoch])).toEqual([
        ["session", other.id, null],
        ["user", null, 6],
      ]);

      // A login that read version 0 before the change can no longer start a session.
      const late = fresh(user.id);
      expect(await store.createSession(late.session, late.token, 0)).toBe(false);
      expect(await store.createSession(late.session, late.token, 1)).toBe(true);
    });

    it("changeCredentials without a hash keeps it and revokes every session; an unknown user is null", async () => {
      const store = getStore();
      const { user, session } = await seedSession(store);
      const before = await latestCursor(store);

      const result = await store.changeCredentials({
        userId: user.id,
        now: T0 + 1000,
        reason: "user_disabled",
      });
      expect(result).toEqual({ epoch: 1, credentialVersion: 1, revokedSessionIds: [session.id] });
      expect((await store.getUserById(user.id))?.passwordHash).toBe(user.passwordHash);
      expect(await store.getSession(session.id)).toMatchObject({ revokedReason: "user_disabled" });

      const afterChange = await latestCursor(store);
      expect(afterChange).toBeGreaterThan(before);
      expect(
        await store.changeCredentials({ userId: makeUser().id, now: T0 + 2000, reason: "user_disabled" }),
      ).toBe(null);
      expect(await latestCursor(store)).toBe(afterChange);
    });

    it("rotation of an unused token of a revoked or expired session answers revoked and writes nothing", async () => {
      const store = getStore();
      const { session, token } = await seedSession(store);
      await store.revokeSession(session.id, T0 + 500, "logout");
      const input = rotation(token, T0 + 1000);
      expect(await store.rotateRefreshToken(input)).toEqual({ outcome: "revoked" });
      expect((await store.getRefreshToken(token.id))?.token).toEqual(token);
      expect(await store.getRefreshToken(input.successor.id)).toBeNull();

      const old = await seedSession(store, { session: { expiresAt: T0 + 900 } });
      const late = rotation(old.token, T0 + 1000);
      expect(await store.rotateRefreshToken(late)).toEqual({ outcome: "revoked" });
      expect(await store.getRefreshToken(late.successor.id)).toBeNull();
    });

    it("of 20 logins racing a credential change, each session is either refused or revoked by it", async () => {
      const { store, user, logins, at } = await loginRace(20);

      const [change, ...created] = await Promise.all([
        at(1).changeCredentials({
          userId: user.id,
          now: T0 + 1000,
          reason: "password_changed",
          passwordHash: NEW_HASH,
        }),
        ...logins.map((l, i) => at(i).createSession(l.session, l.token, 0)),
      ]);

      const inserted = logins.filter((_, i) => created[i] === true).map((l) => l.session.id);
      expect([...(change?.revokedSessionIds ?? [])].sort()).toEqual([...inserted].sort());
      for (const [i, login] of logins.entries()) {
        const stored = await store.getSession(login.session.id);
        if (created[i]) expect(stored?.revokedReason).toBe("password_changed");
        else expect(stored).toBeNull();
      }
      expect(await store.listActiveSessions(user.id, T0 + 2000)).toEqual([]);
    });

    it("of 20 logins racing the user's deletion, none fails and none leaves a session", async () => {
      const { store, user, logins, at } = await loginRace(20);

      const settled = await Promise.allSettled([
        at(1).deleteUser(user.id, T0 + 1000),
        ...logins.map((l, i) => at(i).createSession(l.session, l.token, 0)),
      ]);

      expect(settled.filter((s) => s.status === "rejected")).toEqual([]);
      for (const login of logins) expect(await store.getSession(login.session.id)).toBeNull();
    });

    it("of rotations racing a logout-all, every winner carries the epoch from before it", async () => {
      const { store, at } = connections();
      const { user, token } = await seedSession(store, { user: { tokenEpoch: 7 } });
      const tokens = [token];
      for (let i = 0; i < 9; i++) tokens.push((await addSession(store, user.id)).token);

      const [revoked, ...outcomes] = await Promise.all([
        at(1).revokeUserSessions({ userId: user.id, now: T0 + 1000, reason: "logout_all" }),
        ...tokens.map((t, i) => at(i).rotateRefreshToken(rotation(t, T0 + 1000))),
      ]);

      expect(revoked.epoch).toBe(8);
      for (const outcome of outcomes) {
        expect(["rotated", "revoked"]).toContain(outcome.outcome);
        if (outcome.outcome === "rotated") expect(outcome.user.tokenEpoch).toBe(7);
      }
      // Every family, successors included, is revoked: none escaped the logout-all.
      expect(await store.listActiveSessions(user.id, T0 + 2000)).toEqual([]);
    });
  });
}
