import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Store } from "../store.js";
import { seedSession } from "./conformance-fixtures.js";

/** Far-past times of its own, so its purge touches no other test's rows. */
const T0 = Date.UTC(2002, 0, 1);

export function describeDpopReplay(getStore: () => Store, getStores?: () => Store[]): void {
  describe("DPoP proof ids", () => {
    it("remembers a key once: a second call is a replay until the entry expires", async () => {
      const store = getStore();
      const key = `conf-${randomUUID()}`;
      expect(await store.rememberDpopJti(key, T0 + 120_000, T0)).toBe(true);
      expect(await store.rememberDpopJti(key, T0 + 120_000, T0 + 1000)).toBe(false);
      expect(await store.rememberDpopJti(key, T0 + 240_000, T0 + 119_999)).toBe(false);
      // Other keys are independent.
      expect(await store.rememberDpopJti(`${key}-other`, T0 + 120_000, T0)).toBe(true);
      // Once expired, the slot may be taken again (the proof itself is stale by then anyway).
      expect(await store.rememberDpopJti(key, T0 + 300_000, T0 + 120_000)).toBe(true);
      expect(await store.rememberDpopJti(key, T0 + 300_000, T0 + 120_001)).toBe(false);
    });

    it("gives exactly one winner to concurrent calls with one key", async () => {
      const stores = getStores?.() ?? [getStore()];
      const key = `conf-race-${randomUUID()}`;
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (stores[i % stores.length] as Store).rememberDpopJti(key, T0 + 60_000, T0),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it("purge deletes expired proof ids and keeps live ones", async () => {
      const store = getStore();
      const expired = `conf-purge-${randomUUID()}`;
      const live = `conf-purge-${randomUUID()}`;
      await store.rememberDpopJti(expired, T0 + 10_000, T0);
      await store.rememberDpopJti(live, T0 + 90_000, T0);
      await store.purge({ now: T0 + 50_000, sealedBefore: T0, revocationsBefore: T0, auditBefore: T0 });
      // A purged entry is gone: even with a `now` before its old expiry the key is free again.
      expect(await store.rememberDpopJti(expired, T0 + 10_000, T0)).toBe(true);
      expect(await store.rememberDpopJti(live, T0 + 90_000, T0)).toBe(false);
    });
  });
}

/** Binding an unbound family to a DPoP key at a refresh (`bindSessionDpop`, RFC 9449 §5). */
export function describeDpopBinding(getStore: () => Store, getStores?: () => Store[]): void {
  describe("DPoP binding of a family", () => {
    it("binds an unbound family once, with its time, and never rebinds it", async () => {
      const store = getStore();
      const { session, token } = await seedSession(store);
      expect(await store.bindSessionDpop(session.id, "jkt-a", T0 + 5000)).toBe(true);
      const bound = { ...session, dpopJkt: "jkt-a", dpopBoundAt: T0 + 5000 };
      expect(await store.getSession(session.id)).toEqual(bound);
      expect(await store.getRefreshToken(token.id)).toEqual({ token, session: bound });
      expect(await store.bindSessionDpop(session.id, "jkt-b", T0 + 6000)).toBe(false);
      expect(await store.bindSessionDpop(session.id, "jkt-a", T0 + 6000)).toBe(false);
      expect(await store.getSession(session.id)).toEqual(bound);
    });

    it("leaves a family bound at login as it is, and a missing one missing", async () => {
      const store = getStore();
      const { session } = await seedSession(store, { session: { dpopJkt: "jkt-login" } });
      expect(await store.bindSessionDpop(session.id, "jkt-other", T0)).toBe(false);
      expect(await store.getSession(session.id)).toEqual(session);
      expect(await store.bindSessionDpop(`${session.id}-missing`, "jkt-other", T0)).toBe(false);
    });

    it("gives exactly one winner to concurrent binds of one family with different keys", async () => {
      const stores = getStores?.() ?? [getStore()];
      const { session } = await seedSession(getStore());
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (stores[i % stores.length] as Store).bindSessionDpop(session.id, `jkt-${i}`, T0 + i),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(await getStore().getSession(session.id)).toMatchObject({
        dpopJkt: `jkt-${winner}`,
        dpopBoundAt: T0 + winner,
      });
    });
  });
}
