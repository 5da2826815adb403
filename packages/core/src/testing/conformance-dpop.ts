import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Store } from "../store.js";
import { rotation, seedSession } from "./conformance-fixtures.js";

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

/** Binding an unbound family to a DPoP key at a refresh (`RotateInput.bindDpopJkt`, RFC 9449 §5). */
export function describeDpopBinding(getStore: () => Store, getStores?: () => Store[]): void {
  describe("DPoP binding of a family at a rotation", () => {
    it("binds an unbound family with the winning rotation, with its time, and never rebinds it", async () => {
      const store = getStore();
      const { session, token } = await seedSession(store);
      const first = { ...rotation(token, T0 + 5000), bindDpopJkt: "jkt-a" };
      expect(await store.rotateRefreshToken(first)).toMatchObject({ outcome: "rotated" });
      const bound = await store.getSession(session.id);
      expect(bound).toMatchObject({ dpopJkt: "jkt-a", dpopBoundAt: T0 + 5000 });
      expect((await store.getRefreshToken(first.successor.id))?.session).toEqual(bound);
      // A later rotation asking for another key leaves the binding as it is.
      const second = { ...rotation(first.successor, T0 + 6000), bindDpopJkt: "jkt-b" };
      expect(await store.rotateRefreshToken(second)).toMatchObject({ outcome: "rotated" });
      expect(await store.getSession(session.id)).toMatchObject({ dpopJkt: "jkt-a", dpopBoundAt: T0 + 5000 });
    });

    it("binds nothing on a lost rotation, and leaves a family bound at login as it is", async () => {
      const store = getStore();
      const { session, token } = await seedSession(store);
      await store.rotateRefreshToken(rotation(token, T0 + 1000));
      const late = { ...rotation(token, T0 + 2000), bindDpopJkt: "jkt-late" };
      expect((await store.rotateRefreshToken(late)).outcome).toBe("already_used");
      expect(await store.getSession(session.id)).toMatchObject({ dpopJkt: null, dpopBoundAt: null });

      const atLogin = await seedSession(store, { session: { dpopJkt: "jkt-login" } });
      const rebind = { ...rotation(atLogin.token, T0 + 1000), bindDpopJkt: "jkt-other" };
      expect(await store.rotateRefreshToken(rebind)).toMatchObject({ outcome: "rotated" });
      expect(await store.getSession(atLogin.session.id)).toMatchObject({
        dpopJkt: "jkt-login",
        dpopBoundAt: null,
      });
    });

    it("concurrent rotations of one token, each with its own key: the one winner's key is bound", async () => {
      const stores = getStores?.() ?? [getStore()];
      const { session, token } = await seedSession(getStore());
      const inputs = Array.from({ length: 12 }, (_, i) => ({
        ...rotation(token, T0 + 1000),
        bindDpopJkt: `jkt-${i}`,
      }));
      const outcomes = await Promise.all(
        inputs.map((input, i) => (stores[i % stores.length] as Store).rotateRefreshToken(input)),
      );
      const winners = outcomes.flatMap((o, i) => (o.outcome === "rotated" ? [i] : []));
      expect(winners).toHaveLength(1);
      expect(await getStore().getSession(session.id)).toMatchObject({
        dpopJkt: `jkt-${winners[0]}`,
        dpopBoundAt: T0 + 1000,
      });
    });
  });
}
