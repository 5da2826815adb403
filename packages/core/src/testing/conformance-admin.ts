import { describe, expect, it } from "vitest";
import type { LoginTicketRecord, Store } from "../store.js";
import { addSession, DAY, makeUser, randomId, rejectionOf, seedSession, T0 } from "./conformance-fixtures.js";

const RACERS = 24;

function makeTicket(userId: string, overrides: Partial<LoginTicketRecord> = {}): LoginTicketRecord {
  return {
    hash: randomId("tkt"),
    userId,
    scope: null,
    createdAt: T0,
    expiresAt: T0 + 60_000,
    credentialVersion: 3,
    ...overrides,
  };
}

/**
 * Administration: disabling through the fence, enabling, e-mail changes, and login tickets (stored
 * by hash, redeemed once). `getConnections`, when given, answers two or more connections to one
 * database, for the cross-connection redemption race.
 */
export function describeAdministration(getStore: () => Store, getConnections?: () => readonly Store[]): void {
  describe("disabled users", () => {
    it("stores disabledAt; changeCredentials({ disabledAt }) disables and revokes in one step; enabling revives nothing", async () => {
      const store = getStore();
      const disabledOne = makeUser({ disabledAt: T0 - 5 });
      await store.createUser(disabledOne);
      expect((await store.getUserById(disabledOne.id))?.disabledAt).toBe(T0 - 5);

      const { user, session } = await seedSession(store);
      expect((await store.getUserById(user.id))?.disabledAt).toBeNull();
      const changed = await store.changeCredentials({
        userId: user.id,
        now: T0 + 10,
        reason: "user_disabled",
        disabledAt: T0 + 10,
      });
      expect(changed).toMatchObject({ epoch: 1, credentialVersion: 1, revokedSessionIds: [session.id] });
      const stored = await store.getUserById(user.id);
      expect(stored).toMatchObject({ disabledAt: T0 + 10, passwordHash: user.passwordHash });
      expect((await store.getSession(session.id))?.revokedReason).toBe("user_disabled");

      // A fence without `disabledAt` (a password change) leaves the mark alone.
      await store.changeCredentials({ userId: user.id, now: T0 + 11, reason: "password_set_by_admin" });
      expect((await store.getUserById(user.id))?.disabledAt).toBe(T0 + 10);

      expect(await store.enableUser(user.id)).toBe(true);
      expect((await store.getUserById(user.id))?.disabledAt).toBeNull();
      expect((await store.getSession(session.id))?.revokedAt).toBe(T0 + 10);
      expect(await store.enableUser(makeUser().id)).toBe(false);
    });
  });

  describe("e-mail changes", () => {
    it("updateUserEmail changes the address, refuses a taken one, and is false for an unknown user", async () => {
      const store = getStore();
      const user = makeUser();
      const other = makeUser();
      await store.createUser(user);
      await store.createUser(other);
      const next = `${randomId("moved")}@example.test`;
      expect(await store.updateUserEmail(user.id, next)).toBe(true);
      expect((await store.getUserByEmail(next))?.id).toBe(user.id);
      expect(await store.getUserByEmail(user.email)).toBeNull();
      expect(await rejectionOf(store.updateUserEmail(user.id, other.email))).toMatchObject({
        code: "email_taken",
      });
      expect((await store.getUserById(user.id))?.email).toBe(next);
      expect(await store.updateUserEmail(makeUser().id, `${randomId("x")}@example.test`)).toBe(false);
    });
  });

  describe("login tickets", () => {
    it("a ticket is redeemed once, before it expires; unknown hashes are null", async () => {
      const store = getStore();
      const user = makeUser();
      await store.createUser(user);
      const ticket = makeTicket(user.id, { scope: "orders:read" });
      await store.createLoginTicket(ticket);
      expect(await store.redeemLoginTicket(randomId("tkt"), T0)).toBeNull();
      expect(await store.redeemLoginTicket(ticket.hash, T0 + 1)).toEqual(ticket);
      expect(await store.redeemLoginTicket(ticket.hash, T0 + 2)).toBeNull();

      const late = makeTicket(user.id);
      await store.createLoginTicket(late);
      expect(await store.redeemLoginTicket(late.hash, late.expiresAt)).toBeNull();
      expect(await store.redeemLoginTicket(late.hash, late.expiresAt - 1 - DAY)).toEqual(late);
    });

    it("a user's tickets go with the user", async () => {
      const store = getStore();
      const { user } = await seedSession(store);
      const ticket = makeTicket(user.id);
      await store.createLoginTicket(ticket);
      await addSession(store, user.id);
      expect(await store.deleteUser(user.id, T0)).toBe(true);
      expect(await store.redeemLoginTicket(ticket.hash, T0)).toBeNull();
    });

    it("changeCredentials deletes the user's unredeemed tickets (not when disabling), and no one else's", async () => {
      const store = getStore();
      const { user } = await seedSession(store);
      const other = makeUser();
      await store.createUser(other);
      const mine = makeTicket(user.id);
      const theirs = makeTicket(other.id);
      await store.createLoginTicket(mine);
      await store.createLoginTicket(theirs);
      expect(
        await store.changeCredentials({ userId: user.id, reason: "password_reset", now: T0 }),
      ).not.toBeNull();
      expect(await store.redeemLoginTicket(mine.hash, T0 + 1)).toBeNull();
      expect(await store.redeemLoginTicket(theirs.hash, T0 + 1)).toEqual(theirs);
      const kept = makeTicket(user.id);
      await store.createLoginTicket(kept);
      const disabling = { userId: user.id, reason: "user_disabled", now: T0, disabledAt: T0 };
      expect(await store.changeCredentials(disabling)).not.toBeNull();
      expect(await store.redeemLoginTicket(kept.hash, T0 + 1)).toEqual(kept);
    });

    it(`of ${RACERS} concurrent redemptions of one ticket exactly one gets it`, async () => {
      const connections = getConnections?.() ?? [getStore()];
      const store = getStore();
      const user = makeUser();
      await store.createUser(user);
      const ticket = makeTicket(user.id);
      await store.createLoginTicket(ticket);
      const results = await Promise.all(
        Array.from({ length: RACERS }, (_, i) =>
          (connections[i % connections.length] as Store).redeemLoginTicket(ticket.hash, T0 + 1),
        ),
      );
      expect(results.filter((r) => r !== null)).toEqual([ticket]);
    });

    it("purge deletes expired tickets only", async () => {
      const store = getStore();
      const user = makeUser();
      await store.createUser(user);
      const old = makeTicket(user.id, { createdAt: T0 - 10 * DAY, expiresAt: T0 - 9 * DAY });
      const live = makeTicket(user.id, { expiresAt: T0 + DAY });
      await store.createLoginTicket(old);
      await store.createLoginTicket(live);
      await store.purge({ now: T0 - 9 * DAY, sealedBefore: 0, revocationsBefore: 0, auditBefore: 0 });
      // Expired at exactly `now`: gone, even for a redemption that claims an earlier time.
      expect(await store.redeemLoginTicket(old.hash, T0 - 10 * DAY)).toBeNull();
      expect(await store.redeemLoginTicket(live.hash, T0)).toEqual(live);
    });
  });
}
