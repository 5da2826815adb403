import { describe, expect, it } from "vitest";
import type { Store } from "../store.js";
import { latestCursor, makeUser, randomId, rejectionOf, seedSession, T0 } from "./conformance-fixtures.js";

const change = (userId: string, add: string[], remove: string[] = [], maxRoles = 32) => ({
  userId,
  add,
  remove,
  maxRoles,
  now: T0 + 1000,
});

export function describeRoles(getStore: () => Store, getStores?: () => Store[]): void {
  describe("roles", () => {
    it("stores a user's roles; a user created without any holds none", async () => {
      const store = getStore();
      const user = makeUser({ roles: ["admin", "support"] });
      await store.createUser(user);
      expect((await store.getUserById(user.id))?.roles).toEqual(["admin", "support"]);
      expect((await store.getUserByEmail(user.email))?.roles).toEqual(["admin", "support"]);
      const plain = makeUser();
      await store.createUser(plain);
      expect((await store.getUserById(plain.id))?.roles).toEqual([]);
    });

    it("adding roles bumps nothing and records no revocation", async () => {
      const store = getStore();
      const { user } = await seedSession(store, { user: { roles: ["b"] } });
      const before = await latestCursor(store);
      const result = await store.changeUserRoles(change(user.id, ["c", "a", "b"]));
      expect(result).toEqual({ roles: ["a", "b", "c"], removed: [], epoch: 0 });
      expect((await store.getUserById(user.id))?.tokenEpoch).toBe(0);
      expect(await store.listRevocations(before, 100)).toEqual([]);
    });

    it("removing a held role bumps the epoch and records a user event, without revoking sessions", async () => {
      const store = getStore();
      const { user, session } = await seedSession(store, {
        user: { roles: ["admin", "viewer"], tokenEpoch: 4 },
      });
      const before = await latestCursor(store);
      const result = await store.changeUserRoles(change(user.id, [], ["admin", "never-held"]));
      expect(result).toEqual({ roles: ["viewer"], removed: ["admin"], epoch: 5 });
      const events = (await store.listRevocations(before, 100)).filter((e) => e.userId === user.id);
      expect(events).toMatchObject([{ kind: "user", sessionId: null, epoch: 5, at: T0 + 1000 }]);
      expect(await store.getAccessState(user.id, session.id)).toEqual({
        tokenEpoch: 5,
        sessionRevoked: false,
      });
      // Removing a role the user does not hold is not a removal.
      expect(await store.changeUserRoles(change(user.id, [], ["admin"]))).toEqual({
        roles: ["viewer"],
        removed: [],
        epoch: 5,
      });
    });

    it("refuses more than maxRoles with invalid_input and writes nothing; null for an unknown user", async () => {
      const store = getStore();
      const user = makeUser({ roles: ["a"] });
      await store.createUser(user);
      const error = await rejectionOf(store.changeUserRoles(change(user.id, ["b", "c"], ["a"], 1)));
      expect(error).toMatchObject({ name: "TesseraError", code: "invalid_input" });
      expect(await store.getUserById(user.id)).toMatchObject({ roles: ["a"], tokenEpoch: 0 });
      expect(await store.changeUserRoles(change(randomId("usr"), ["a"]))).toBeNull();
    });

    it("concurrent changes of one user's roles lose no update", async () => {
      const stores = getStores?.() ?? [getStore()];
      const user = makeUser();
      await stores[0]?.createUser(user);
      const roles = Array.from({ length: 8 }, (_, i) => `r${i}`);
      await Promise.all(
        roles.map((role, i) => (stores[i % stores.length] as Store).changeUserRoles(change(user.id, [role]))),
      );
      expect((await getStore().getUserById(user.id))?.roles).toEqual(roles);
    });

    it("lists the roles users hold, with counts", async () => {
      const store = getStore();
      const role = `held-${randomId("r").slice(2, 12).toLowerCase()}`;
      await store.createUser(makeUser({ roles: [role] }));
      await store.createUser(makeUser({ roles: [role, "other"] }));
      expect(await store.listHeldRoles()).toContainEqual({ role, users: 2 });
    });

    it("applies a role policy by compare-and-set, bumping holders of narrowed roles once", async () => {
      const stores = getStores?.() ?? [getStore()];
      const store = getStore();
      const role = `narrowed-${randomId("r").slice(2, 12).toLowerCase()}`;
      const { user: holder, session } = await seedSession(store, { user: { roles: [role] } });
      const bystander = makeUser({ roles: ["unrelated"] });
      await store.createUser(bystander);
      const stored = await store.getRolePolicy();
      const policy = JSON.stringify({ [role]: [randomId("p")] });
      expect(
        (await store.applyRolePolicy({ expected: `${stored}x`, policy, bumpRoles: [role], now: T0 })).applied,
      ).toBe(false);
      expect(await store.getRolePolicy()).toBe(stored);

      const before = await latestCursor(store);
      // Instances starting together: exactly one applies (and bumps), the others see a changed policy.
      const results = await Promise.all(
        [0, 1, 2, 3].map((i) =>
          (stores[i % stores.length] as Store).applyRolePolicy({
            expected: stored,
            policy,
            bumpRoles: [role],
            now: T0,
          }),
        ),
      );
      expect(results.filter((r) => r.applied)).toEqual([{ applied: true, bumpedUsers: 1 }]);
      expect(await store.getRolePolicy()).toBe(policy);
      expect(await store.getAccessState(holder.id, session.id)).toEqual({
        tokenEpoch: 1,
        sessionRevoked: false,
      });
      expect((await store.getUserById(bystander.id))?.tokenEpoch).toBe(0);
      const events = await store.listRevocations(before, 100);
      expect(events.filter((e) => e.userId === holder.id)).toMatchObject([{ kind: "user", epoch: 1 }]);
      expect(events.filter((e) => e.userId === bystander.id)).toEqual([]);
    });
  });
}
