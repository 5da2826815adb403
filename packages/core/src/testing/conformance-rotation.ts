import { describe, expect, it } from "vitest";
import type { Store } from "../store.js";
import { makeAudit, makeToken, rotation, seedSession, T0 } from "./conformance-fixtures.js";
import { expectSingleRotationWinner } from "./conformance-race.js";

/** `getConnections`, when given, answers two or more connections to one database. */
export function describeRotation(getStore: () => Store, getConnections?: () => readonly Store[]): void {
  describe("refresh token rotation", () => {
    it("rotates an unused token once: marks it used, stores the successor, records the last use", async () => {
      const store = getStore();
      const { user, session, token } = await seedSession(store, {
        user: { tokenEpoch: 4, roles: ["admin", "editor"] },
      });
      const input = rotation(token, T0 + 1000, "198.51.100.99");

      // The user comes back as read in the rotation's transaction: its roles with its epoch.
      expect(await store.rotateRefreshToken(input)).toEqual({ outcome: "rotated", user });

      const stored = await store.getRefreshToken(token.id);
      expect(stored?.token).toEqual({
        ...token,
        usedAt: T0 + 1000,
        successorId: input.successor.id,
        successorSealed: input.successorSealed,
      });
      const successor = await store.getRefreshToken(input.successor.id);
      expect(successor?.token).toEqual(input.successor);
      expect(successor?.session).toEqual({
        ...session,
        lastUsedAt: T0 + 1000,
        lastIp: "198.51.100.99",
        lastUserAgent: input.userAgent,
      });
    });

    it("answers already_used with the first use time and the successor, and never moves usedAt", async () => {
      const store = getStore();
      const { token } = await seedSession(store);
      const first = rotation(token, T0 + 1000);
      await store.rotateRefreshToken(first);

      const again = rotation(token, T0 + 9000);
      expect(await store.rotateRefreshToken(again)).toEqual({
        outcome: "already_used",
        usedAt: T0 + 1000,
        successor: first.successor,
      });
      expect(await store.getRefreshToken(again.successor.id)).toBeNull();
      const stored = await store.getRefreshToken(token.id);
      expect(stored?.token).toMatchObject({
        usedAt: T0 + 1000,
        successorId: first.successor.id,
        successorSealed: first.successorSealed,
      });
      expect(stored?.session.lastUsedAt).toBe(T0 + 1000);
    });

    it("rotates a chain: the successor is itself single-use", async () => {
      const store = getStore();
      const { user, token } = await seedSession(store);
      const first = rotation(token, T0 + 1000);
      await store.rotateRefreshToken(first);
      const second = rotation(first.successor, T0 + 2000);
      expect(await store.rotateRefreshToken(second)).toEqual({ outcome: "rotated", user });
      expect(await store.rotateRefreshToken(rotation(first.successor, T0 + 3000))).toEqual({
        outcome: "already_used",
        usedAt: T0 + 2000,
        successor: second.successor,
      });
    });

    it("appends the given audit event with the winning rotation", async () => {
      const store = getStore();
      const { user, session, token } = await seedSession(store);
      const audit = makeAudit({
        at: T0 + 1000,
        type: "refresh.rotated",
        userId: user.id,
        sessionId: session.id,
        data: { note: "in the rotation" },
      });
      expect(await store.rotateRefreshToken({ ...rotation(token, T0 + 1000), audit })).toEqual({
        outcome: "rotated",
        user,
      });
      const events = await store.listAudit({ userId: user.id });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ ...audit, id: expect.any(Number) });
    });

    it("appends no audit event when the rotation loses or finds no token", async () => {
      const store = getStore();
      const { user, session, token } = await seedSession(store);
      const audit = (at: number) =>
        makeAudit({ at, type: "refresh.rotated", userId: user.id, sessionId: session.id });
      await store.rotateRefreshToken({ ...rotation(token, T0 + 1000), audit: audit(T0 + 1000) });
      const lost = await store.rotateRefreshToken({ ...rotation(token, T0 + 2000), audit: audit(T0 + 2000) });
      expect(lost.outcome).toBe("already_used");
      const unknown = rotation(makeToken(session.id), T0 + 3000);
      expect(await store.rotateRefreshToken({ ...unknown, audit: audit(T0 + 3000) })).toEqual({
        outcome: "not_found",
      });
      expect((await store.listAudit({ userId: user.id })).map((e) => e.at)).toEqual([T0 + 1000]);
    });

    it("answers not_found for an unknown token", async () => {
      const store = getStore();
      const { session } = await seedSession(store);
      expect(await store.rotateRefreshToken(rotation(makeToken(session.id), T0 + 1000))).toEqual({
        outcome: "not_found",
      });
    });

    it("lets exactly one of 20 concurrent rotations of one token win", async () => {
      await expectSingleRotationWinner(getStore(), 20);
    });

    it.skipIf(!getConnections)(
      "lets exactly one win when 20 concurrent rotations race over two connections",
      async () => {
        await expectSingleRotationWinner(getConnections!(), 20);
      },
    );
  });
}
