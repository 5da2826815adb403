import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Store } from "../store.js";

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
