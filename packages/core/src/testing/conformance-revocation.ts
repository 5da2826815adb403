import { describe, expect, it } from "vitest";
import type { RevocationEvent, Store } from "../store.js";
import { addSession, latestCursor, makeSession, makeUser, seedSession, T0 } from "./conformance-fixtures.js";

async function eventsOf(store: Store, after: number, userId: string): Promise<RevocationEvent[]> {
  return (await store.listRevocations(after, 1000)).filter((e) => e.userId === userId);
}

export function describeRevocation(getStore: () => Store): void {
  describe("revocation", () => {
    it("revokes a session once and records one session event", async () => {
      const store = getStore();
      const { user, session } = await seedSession(store);
      const before = await latestCursor(store);

      expect(await store.revokeSession(session.id, T0 + 1000, "logout")).toBe(true);
      expect(await store.revokeSession(session.id, T0 + 2000, "logout")).toBe(false);
      expect(await store.revokeSession(makeSession(user.id).id, T0 + 2000, "logout")).toBe(false);

      expect(await store.getSession(session.id)).toEqual({
        ...session,
        revokedAt: T0 + 1000,
        revokedReason: "logout",
      });
      expect(await eventsOf(store, before, user.id)).toEqual([
        {
          cursor: expect.any(Number),
          kind: "session",
          userId: user.id,
          sessionId: session.id,
          epoch: null,
          at: T0 + 1000,
        },
      ]);
      expect(await store.listActiveSessions(user.id, T0 + 3000)).toEqual([]);
    });

    it("revokes every live session of a user but the excepted one and bumps the epoch", async () => {
      const store = getStore();
      const { user, session: keep } = await seedSession(store, { user: { tokenEpoch: 2 } });
      const { session: other } = await addSession(store, user.id, { createdAt: T0 + 1 });
      const { session: earlier } = await addSession(store, user.id, { createdAt: T0 + 2 });
      await store.revokeSession(earlier.id, T0 + 500, "logout");
      const bystander = await seedSession(store);
      const before = await latestCursor(store);

      const result = await store.revokeUserSessions({
        userId: user.id,
        now: T0 + 1000,
        reason: "password_changed",
        exceptSessionId: keep.id,
      });

      expect(result).toEqual({ epoch: 3, revokedSessionIds: [other.id] });
      expect((await store.getUserById(user.id))?.tokenEpoch).toBe(3);
      expect(await store.getSession(keep.id)).toEqual(keep);
      expect(await store.getSession(other.id)).toMatchObject({
        revokedAt: T0 + 1000,
        revokedReason: "password_changed",
      });
      expect(await store.getSession(earlier.id)).toMatchObject({
        revokedAt: T0 + 500,
        revokedReason: "logout",
      });
      expect(await store.getSession(bystander.session.id)).toEqual(bystander.session);
      const events = await eventsOf(store, before, user.id);
      expect(events).toHaveLength(2);
      expect(events).toContainEqual(
        expect.objectContaining({ kind: "session", sessionId: other.id, epoch: null, at: T0 + 1000 }),
      );
      expect(events).toContainEqual(
        expect.objectContaining({ kind: "user", userId: user.id, sessionId: null, epoch: 3, at: T0 + 1000 }),
      );

      const all = await store.revokeUserSessions({ userId: user.id, now: T0 + 2000, reason: "logout_all" });
      expect(all).toEqual({ epoch: 4, revokedSessionIds: [keep.id] });
      expect(await store.listActiveSessions(user.id, T0 + 3000)).toEqual([]);
      expect(
        await store.revokeUserSessions({ userId: user.id, now: T0 + 3000, reason: "logout_all" }),
      ).toEqual({
        epoch: 5,
        revokedSessionIds: [],
      });
    });

    it("reports the access state: epoch, and a revoked, missing or foreign session as revoked", async () => {
      const store = getStore();
      const { user, session } = await seedSession(store, { user: { tokenEpoch: 7 } });
      const { session: second } = await addSession(store, user.id);
      const stranger = await seedSession(store);

      expect(await store.getAccessState(user.id, session.id)).toEqual({
        tokenEpoch: 7,
        sessionRevoked: false,
      });
      await store.revokeSession(second.id, T0 + 1000, "logout");
      expect(await store.getAccessState(user.id, second.id)).toEqual({ tokenEpoch: 7, sessionRevoked: true });
      expect(await store.getAccessState(user.id, makeSession(user.id).id)).toEqual({
        tokenEpoch: 7,
        sessionRevoked: true,
      });
      // A session id of another user never counts as this user's live session.
      expect(await store.getAccessState(user.id, stranger.session.id)).toEqual({
        tokenEpoch: 7,
        sessionRevoked: true,
      });
      await store.revokeUserSessions({ userId: user.id, now: T0 + 2000, reason: "logout_all" });
      expect(await store.getAccessState(user.id, session.id)).toEqual({
        tokenEpoch: 8,
        sessionRevoked: true,
      });
      expect(await store.getAccessState(makeUser().id, session.id)).toBeNull();
    });

    it("lists revocation events in cursor order after a cursor, up to a limit", async () => {
      const store = getStore();
      const { user, session: a } = await seedSession(store);
      const { session: b } = await addSession(store, user.id);
      const { session: c } = await addSession(store, user.id);
      const before = await latestCursor(store);
      await store.revokeSession(a.id, T0 + 1000, "logout");
      await store.revokeSession(b.id, T0 + 1001, "logout");
      await store.revokeSession(c.id, T0 + 1002, "logout");

      const mine = await eventsOf(store, before, user.id);
      expect(mine.map((e) => e.sessionId)).toEqual([a.id, b.id, c.id]);
      const cursors = mine.map((e) => e.cursor);
      expect(cursors).toEqual([...cursors].sort((x, y) => x - y));
      expect(new Set(cursors).size).toBe(3);
      expect(cursors[0]).toBeGreaterThan(before);

      const one = await store.listRevocations(before, 1);
      expect(one).toHaveLength(1);
      expect(one[0]?.cursor).toBeGreaterThan(before);
      const page = await store.listRevocations(before, 1000);
      expect(page.map((e) => e.cursor)).toEqual([...page.map((e) => e.cursor)].sort((x, y) => x - y));
      const rest = await eventsOf(store, cursors[0]!, user.id);
      expect(rest.map((e) => e.sessionId)).toEqual([b.id, c.id]);
      expect(await eventsOf(store, cursors[2]!, user.id)).toEqual([]);
    });
  });
}
