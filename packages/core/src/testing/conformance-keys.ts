import { describe, expect, it } from "vitest";
import { TesseraError } from "../errors.js";
import type { SigningKeyRecord, Store } from "../store.js";
import { randomId, rejectionOf, T0 } from "./conformance-fixtures.js";

function makeKey(overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  return {
    kid: randomId("kid"),
    alg: "EdDSA",
    status: "next",
    publicJwk: JSON.stringify({ kty: "OKP", crv: "Ed25519", x: randomId("x") }),
    privateSealed: randomId("sealed"),
    createdAt: T0,
    activatedAt: null,
    retiredAt: null,
    ...overrides,
  };
}

async function keysByKid(store: Store, kids: string[]): Promise<Map<string, SigningKeyRecord>> {
  const all = await store.listSigningKeys();
  return new Map(all.filter((k) => kids.includes(k.kid)).map((k) => [k.kid, k]));
}

export function describeKeys(getStore: () => Store): void {
  describe("signing keys", () => {
    it("inserts keys and lists them", async () => {
      const store = getStore();
      const active = makeKey({ status: "active", activatedAt: T0 });
      const secret = makeKey({ alg: "HS256", publicJwk: null });
      await store.applyKeyChanges({ inserts: [active, secret] });
      const found = await keysByKid(store, [active.kid, secret.kid]);
      expect(found.get(active.kid)).toEqual(active);
      expect(found.get(secret.kid)).toEqual(secret);
    });

    it("applies partial updates and leaves unnamed fields alone", async () => {
      const store = getStore();
      const current = makeKey({ status: "active", activatedAt: T0 });
      const next = makeKey();
      await store.applyKeyChanges({ inserts: [current, next] });
      await store.applyKeyChanges({
        updates: [
          { kid: next.kid, status: "active", activatedAt: T0 + 1000 },
          { kid: current.kid, status: "previous" },
        ],
      });
      await store.applyKeyChanges({ updates: [{ kid: current.kid, privateSealed: "rewrapped" }] });
      const found = await keysByKid(store, [current.kid, next.kid]);
      expect(found.get(next.kid)).toEqual({ ...next, status: "active", activatedAt: T0 + 1000 });
      expect(found.get(current.kid)).toEqual({ ...current, status: "previous", privateSealed: "rewrapped" });

      await store.applyKeyChanges({
        updates: [{ kid: current.kid, status: "retired", retiredAt: T0 + 2000 }],
      });
      expect((await keysByKid(store, [current.kid])).get(current.kid)).toEqual({
        ...current,
        status: "retired",
        privateSealed: "rewrapped",
        retiredAt: T0 + 2000,
      });
    });

    it("applies a batch atomically: a failing batch leaves nothing applied", async () => {
      const store = getStore();
      const existing = makeKey({ status: "active", activatedAt: T0 });
      await store.applyKeyChanges({ inserts: [existing] });

      const fresh = makeKey();
      await rejectionOf(
        store.applyKeyChanges({
          inserts: [fresh, makeKey({ kid: existing.kid })],
          updates: [{ kid: existing.kid, status: "previous" }],
        }),
      );
      const found = await keysByKid(store, [existing.kid, fresh.kid]);
      expect(found.get(fresh.kid)).toBeUndefined();
      expect(found.get(existing.kid)).toEqual(existing);
    });

    it("applies an `expect`ed batch only to the ring it was planned from (compare-and-set)", async () => {
      const store = getStore();
      await store.applyKeyChanges({ inserts: [makeKey({ status: "active", activatedAt: T0 })] });
      const planned = (await store.listSigningKeys()).map(({ kid, status }) => ({ kid, status }));

      // Two planners race from the same snapshot: exactly one batch lands.
      const a = makeKey();
      const b = makeKey();
      const outcomes = await Promise.allSettled([
        store.applyKeyChanges({ expect: planned, inserts: [a] }),
        store.applyKeyChanges({ expect: planned, inserts: [b] }),
      ]);
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
      const lost = outcomes.find((o) => o.status === "rejected");
      expect(lost?.status === "rejected" && lost.reason instanceof TesseraError && lost.reason.code).toBe(
        "key_ring_changed",
      );
      const found = await keysByKid(store, [a.kid, b.kid]);
      expect(found.size).toBe(1);

      // A stale plan (a status changed since) applies nothing; a current one applies.
      const current = (await store.listSigningKeys()).map(({ kid, status }) => ({ kid, status }));
      const stale = current.map((k) =>
        k.kid === [...found.keys()][0] ? { ...k, status: "active" as const } : k,
      );
      const c = makeKey();
      const error = await rejectionOf(store.applyKeyChanges({ expect: stale, inserts: [c] }));
      expect(error instanceof TesseraError && error.code).toBe("key_ring_changed");
      expect((await keysByKid(store, [c.kid])).size).toBe(0);
      await store.applyKeyChanges({ expect: current, inserts: [c] });
      expect((await keysByKid(store, [c.kid])).size).toBe(1);
    });
  });
}
