import { describe, expect, it } from "vitest";
import type { Store } from "../store.js";
import { addSession, DAY, latestCursor, makeAudit, rotation, seedSession } from "./conformance-fixtures.js";

/** The purge test lives in its own far-past range, so its cut-offs touch only its own rows. */
const TP = Date.UTC(2001, 0, 1);

export function describePurge(getStore: () => Store): void {
  describe("purge", () => {
    it("deletes expired and long-revoked sessions, old sealed successors, old events; keeps the rest", async () => {
      const store = getStore();
      const live = await seedSession(store, {
        user: { createdAt: TP },
        session: { createdAt: TP, lastUsedAt: TP, expiresAt: TP + 30 * DAY },
      });
      const userId = live.user.id;
      const expired = await addSession(store, userId, {
        createdAt: TP,
        lastUsedAt: TP,
        expiresAt: TP + 1000,
      });
      const revokedOld = await addSession(store, userId, { createdAt: TP, lastUsedAt: TP });
      const revokedRecent = await addSession(store, userId, { createdAt: TP, lastUsedAt: TP });
      const before = await latestCursor(store);
      await store.revokeSession(revokedOld.session.id, TP + 1000, "logout");
      await store.revokeSession(revokedRecent.session.id, TP + 5000, "logout");
      const first = rotation(live.token, TP + 1000);
      await store.rotateRefreshToken(first);
      const second = rotation(first.successor, TP + 5000);
      await store.rotateRefreshToken(second);
      await store.appendAudit(makeAudit({ userId, at: TP + 1000, type: "conformance.old" }));
      await store.appendAudit(makeAudit({ userId, at: TP + 5000, type: "conformance.recent" }));

      const cut = TP + 3000;
      await store.purge({ now: cut, sealedBefore: cut, revocationsBefore: cut, auditBefore: cut });

      expect(await store.getSession(expired.session.id)).toBeNull();
      expect(await store.getRefreshToken(expired.token.id)).toBeNull();
      expect(await store.getSession(revokedOld.session.id)).toBeNull();
      expect(await store.getRefreshToken(revokedOld.token.id)).toBeNull();
      expect(await store.getAccessState(userId, revokedOld.session.id)).toEqual({
        tokenEpoch: 0,
        sessionRevoked: true,
      });
      expect(await store.getSession(revokedRecent.session.id)).toMatchObject({ revokedAt: TP + 5000 });
      expect(await store.getSession(live.session.id)).toMatchObject({ lastUsedAt: TP + 5000 });

      // The old sealed successor is wiped, but the used mark and the link stay for reuse detection.
      expect((await store.getRefreshToken(live.token.id))?.token).toMatchObject({
        usedAt: TP + 1000,
        successorId: first.successor.id,
        successorSealed: null,
      });
      expect((await store.getRefreshToken(first.successor.id))?.token).toMatchObject({
        usedAt: TP + 5000,
        successorSealed: second.successorSealed,
      });
      expect((await store.getRefreshToken(second.successor.id))?.token).toEqual(second.successor);
      expect(await store.rotateRefreshToken(rotation(live.token, TP + 6000))).toMatchObject({
        outcome: "already_used",
        usedAt: TP + 1000,
        successor: { id: first.successor.id },
      });

      const events = (await store.listRevocations(before, 1000)).filter((e) => e.userId === userId);
      expect(events.map((e) => e.sessionId)).toEqual([revokedRecent.session.id]);
      expect((await store.listAudit({ userId })).map((e) => e.type)).toEqual(["conformance.recent"]);
    });
  });
}
