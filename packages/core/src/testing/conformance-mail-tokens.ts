import { describe, expect, it } from "vitest";
import type { MailTokenRecord, Store } from "../store.js";
import { makeUser, randomId } from "./conformance-fixtures.js";

/** Far-past times of its own, so its purge touches no other test's rows. */
const T0 = Date.UTC(2003, 0, 1);
const TTL = 30 * 60_000;

function makeMailToken(userId: string, overrides: Partial<MailTokenRecord> = {}): MailTokenRecord {
  return {
    tokenHash: randomId("mth"),
    purpose: "password_reset",
    userId,
    createdAt: T0,
    expiresAt: T0 + TTL,
    usedAt: null,
    ...overrides,
  };
}

async function seedUser(store: Store) {
  const user = makeUser();
  await store.createUser(user);
  return user;
}

export function describeMailTokens(getStore: () => Store, getStores?: () => Store[]): void {
  describe("mail tokens and verified addresses", () => {
    it("stores emailVerified and sets it once verified", async () => {
      const store = getStore();
      const user = await seedUser(store);
      expect((await store.getUserById(user.id))?.emailVerified).toBe(false);
      expect(await store.setEmailVerified(user.id)).toBe(true);
      expect((await store.getUserById(user.id))?.emailVerified).toBe(true);
      expect((await store.getUserByEmail(user.email))?.emailVerified).toBe(true);
      expect(await store.setEmailVerified(randomId("nobody"))).toBe(false);
      const verified = makeUser({ emailVerified: true });
      await store.createUser(verified);
      expect((await store.getUserById(verified.id))?.emailVerified).toBe(true);
    });

    it("redeems a token once, for its purpose only, before it expires", async () => {
      const store = getStore();
      const user = await seedUser(store);
      const token = makeMailToken(user.id);
      await store.createMailToken(token);
      expect(await store.getMailToken(token.tokenHash)).toEqual(token);
      expect(await store.redeemMailToken(token.tokenHash, "email_verification", T0 + 1)).toBeNull();
      expect(await store.redeemMailToken(token.tokenHash, "password_reset", T0 + TTL)).toBeNull();
      expect(await store.redeemMailToken(token.tokenHash, "password_reset", T0 + 1)).toBe(user.id);
      expect(await store.redeemMailToken(token.tokenHash, "password_reset", T0 + 2)).toBeNull();
      expect((await store.getMailToken(token.tokenHash))?.usedAt).toBe(T0 + 1);
      expect(await store.redeemMailToken(randomId("unknown"), "password_reset", T0)).toBeNull();
      expect(await store.getMailToken(randomId("unknown"))).toBeNull();
    });

    it("a newer token supersedes the unused older ones of the same user and purpose only", async () => {
      const store = getStore();
      const user = await seedUser(store);
      const older = makeMailToken(user.id);
      const verification = makeMailToken(user.id, { purpose: "email_verification" });
      const otherUsers = makeMailToken((await seedUser(store)).id);
      for (const token of [older, verification, otherUsers]) await store.createMailToken(token);
      const newer = makeMailToken(user.id, { createdAt: T0 + 5 });
      await store.createMailToken(newer);
      expect((await store.getMailToken(older.tokenHash))?.usedAt).toBe(T0 + 5);
      expect(await store.redeemMailToken(older.tokenHash, "password_reset", T0 + 6)).toBeNull();
      expect(await store.redeemMailToken(newer.tokenHash, "password_reset", T0 + 6)).toBe(user.id);
      expect(await store.redeemMailToken(verification.tokenHash, "email_verification", T0 + 6)).toBe(user.id);
      expect(await store.redeemMailToken(otherUsers.tokenHash, "password_reset", T0 + 6)).toBe(
        otherUsers.userId,
      );
    });

    it("gives exactly one winner to concurrent redemptions of one token", async () => {
      const stores = getStores?.() ?? [getStore()];
      const store = getStore();
      const user = await seedUser(store);
      const token = makeMailToken(user.id);
      await store.createMailToken(token);
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (stores[i % stores.length] as Store).redeemMailToken(token.tokenHash, "password_reset", T0 + 1),
        ),
      );
      expect(results.filter((r) => r !== null)).toEqual([user.id]);
    });

    it("purge deletes expired tokens, and a deleted user's tokens go with the user", async () => {
      const store = getStore();
      const user = await seedUser(store);
      const expired = makeMailToken(user.id, { expiresAt: T0 + 10 });
      const live = makeMailToken(user.id, { purpose: "email_verification", expiresAt: T0 + 90_000 });
      await store.createMailToken(expired);
      await store.createMailToken(live);
      await store.purge({ now: T0 + 50_000, sealedBefore: T0, revocationsBefore: T0, auditBefore: T0 });
      expect(await store.getMailToken(expired.tokenHash)).toBeNull();
      expect(await store.getMailToken(live.tokenHash)).not.toBeNull();
      await store.deleteUser(user.id, T0 + 1);
      expect(await store.getMailToken(live.tokenHash)).toBeNull();
    });
  });
}
