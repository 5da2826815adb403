import { describe, expect, it } from "vitest";
import type { Store } from "../store.js";
import {
  addSession,
  DAY,
  makeSession,
  makeToken,
  makeUser,
  rejectionOf,
  seedSession,
  T0,
} from "./conformance-fixtures.js";

export function describeSessions(getStore: () => Store): void {
  describe("sessions", () => {
    it("creates a session with its first token and reads both back", async () => {
      const store = getStore();
      const user = makeUser();
      await store.createUser(user);
      const session = makeSession(user.id, {
        dpopJkt: "jkt-thumbprint",
        scope: null,
        ip: null,
        userAgent: null,
      });
      const token = makeToken(session.id);
      expect(await store.createSession(session, token, 0)).toBe(true);

      expect(await store.getSession(session.id)).toEqual(session);
      expect(await store.getRefreshToken(token.id)).toEqual({ token, session });
      expect(await store.getSession(makeSession(user.id).id)).toBeNull();
      expect(await store.getRefreshToken(makeToken(session.id).id)).toBeNull();
    });

    it("creates the session and its first token in one transaction", async () => {
      const store = getStore();
      const { user, token } = await seedSession(store);
      const session = makeSession(user.id);
      // The first token reuses an existing token id, so its insert fails after the session's.
      const clash = makeToken(session.id, { id: token.id });
      await rejectionOf(store.createSession(session, clash, 0));
      expect(await store.getSession(session.id)).toBeNull();
      expect((await store.getRefreshToken(token.id))?.token).toEqual(token);
    });

    it("lists a user's active sessions newest first, without revoked, expired or others'", async () => {
      const store = getStore();
      const { user, session: oldest } = await seedSession(store);
      const { session: newer } = await addSession(store, user.id, { createdAt: T0 + 1000 });
      const { session: revoked } = await addSession(store, user.id, { createdAt: T0 + 2000 });
      const { session: expired } = await addSession(store, user.id, {
        createdAt: T0 + 3000,
        expiresAt: T0 + 4000,
      });
      await seedSession(store, { session: { createdAt: T0 + 2500 } });
      await store.revokeSession(revoked.id, T0 + 2100, "logout");

      const now = T0 + 5000;
      expect(await store.listActiveSessions(user.id, now)).toEqual([newer, oldest]);
      // Before its end the short session is still listed, first as the newest.
      expect((await store.listActiveSessions(user.id, T0 + 3500)).map((s) => s.id)).toEqual([
        expired.id,
        newer.id,
        oldest.id,
      ]);
      expect(await store.listActiveSessions(user.id, T0 + 31 * DAY)).toEqual([]);
      expect(await store.listActiveSessions(makeUser().id, now)).toEqual([]);
    });
  });
}
