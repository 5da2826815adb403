import { describe, expect, it } from "vitest";
import type { Store } from "../store.js";
import {
  addSession,
  latestCursor,
  makeUser,
  rejectionOf,
  rotation,
  seedSession,
  T0,
} from "./conformance-fixtures.js";

export function describeUsers(getStore: () => Store): void {
  describe("users", () => {
    it("migrate is idempotent", async () => {
      const store = getStore();
      await store.migrate();
      await store.migrate();
      const user = makeUser();
      await store.createUser(user);
      expect(await store.getUserById(user.id)).toEqual(user);
    });

    it("creates a user and finds it by id and by e-mail", async () => {
      const store = getStore();
      const user = makeUser({ tokenEpoch: 3 });
      await store.createUser(user);
      expect(await store.getUserById(user.id)).toEqual(user);
      expect(await store.getUserByEmail(user.email)).toEqual(user);
      expect(await store.getUserById(makeUser().id)).toBeNull();
      expect(await store.getUserByEmail(makeUser().email)).toBeNull();
    });

    it("rejects a duplicate e-mail with email_taken and keeps the first user", async () => {
      const store = getStore();
      const first = makeUser();
      await store.createUser(first);
      const error = await rejectionOf(store.createUser(makeUser({ email: first.email })));
      expect(error).toMatchObject({ name: "TesseraError", code: "email_taken" });
      expect(await store.getUserByEmail(first.email)).toEqual(first);
    });

    it("lists users in id order, page by page", async () => {
      const store = getStore();
      const mine = [makeUser(), makeUser(), makeUser()];
      for (const user of mine) await store.createUser(user);

      expect(await store.listUsers({ limit: 1 })).toHaveLength(1);
      const seen: string[] = [];
      let afterId: string | undefined;
      for (;;) {
        const page = await store.listUsers(afterId === undefined ? { limit: 2 } : { limit: 2, afterId });
        expect(page.length).toBeLessThanOrEqual(2);
        if (page.length === 0) break;
        for (const user of page) seen.push(user.id);
        afterId = page.at(-1)?.id;
      }
      expect(seen).toEqual([...seen].sort());
      expect(new Set(seen).size).toBe(seen.length);
      for (const user of mine) expect(seen).toContain(user.id);
      const one = mine[1]!;
      const page = await store.listUsers({ afterId: one.id, limit: 1000 });
      expect(page.every((u) => u.id > one.id)).toBe(true);
    });

    it("updates one user's password hash", async () => {
      const store = getStore();
      const [a, b] = [makeUser(), makeUser()];
      await store.createUser(a);
      await store.createUser(b);
      await store.updatePasswordHash(a.id, "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA");
      expect(await store.getUserById(a.id)).toEqual({
        ...a,
        passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA",
      });
      expect(await store.getUserById(b.id)).toEqual(b);
    });

    it("replaces a password hash only while it is still the expected one (compare-and-set)", async () => {
      const store = getStore();
      const legacy = "$2b$04$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui";
      const [a, b] = [makeUser({ passwordHash: legacy, tokenEpoch: 2 }), makeUser({ passwordHash: legacy })];
      await store.createUser(a);
      await store.createUser(b);
      const upgraded = "$argon2id$v=19$m=8,t=1,p=1$dXBncmFkZWQ$dXBncmFkZWQtaGFzaA";

      expect(await store.replacePasswordHash(a.id, "$2b$04$not-the-stored-one", upgraded)).toBe(false);
      expect(await store.getUserById(a.id)).toEqual(a);
      expect(await store.replacePasswordHash(makeUser().id, legacy, upgraded)).toBe(false);

      // Of concurrent upgrades from one expected hash, exactly one writes.
      const outcomes = await Promise.all(
        ["one", "two", "three"].map((tag) => store.replacePasswordHash(a.id, legacy, `${upgraded}-${tag}`)),
      );
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      const after = await store.getUserById(a.id);
      // Same password: neither the epoch nor the credential version moves.
      expect(after).toEqual({
        ...a,
        passwordHash: expect.stringMatching(/^\$argon2id\$.*-(one|two|three)$/),
      });
      expect(await store.getUserById(b.id)).toEqual(b);

      // A credential change that committed first is never overwritten by a late upgrade.
      const changed = "$argon2id$v=19$m=8,t=1,p=1$Y2hhbmdlZA$bmV3LXBhc3N3b3JkLWhhc2g";
      await store.changeCredentials({
        userId: b.id,
        now: T0,
        reason: "password_changed",
        passwordHash: changed,
      });
      expect(await store.replacePasswordHash(b.id, legacy, upgraded)).toBe(false);
      expect((await store.getUserById(b.id))?.passwordHash).toBe(changed);
    });

    it("deletes a user with its sessions and tokens and records a user revocation", async () => {
      const store = getStore();
      const { user, session, token } = await seedSession(store, { user: { tokenEpoch: 3 } });
      const second = await addSession(store, user.id, { createdAt: T0 + 1 });
      const other = await seedSession(store);
      const before = await latestCursor(store);

      expect(await store.deleteUser(user.id, T0 + 5000)).toBe(true);

      expect(await store.getUserById(user.id)).toBeNull();
      expect(await store.getUserByEmail(user.email)).toBeNull();
      expect(await store.getSession(session.id)).toBeNull();
      expect(await store.getSession(second.session.id)).toBeNull();
      expect(await store.getRefreshToken(token.id)).toBeNull();
      expect(await store.getRefreshToken(second.token.id)).toBeNull();
      expect(await store.listActiveSessions(user.id, T0)).toEqual([]);
      expect(await store.getAccessState(user.id, session.id)).toBeNull();
      expect(await store.rotateRefreshToken(rotation(token, T0 + 6000))).toEqual({ outcome: "not_found" });

      const events = (await store.listRevocations(before, 1000)).filter((e) => e.userId === user.id);
      expect(events.filter((e) => e.kind === "user")).toEqual([
        expect.objectContaining({ kind: "user", userId: user.id, sessionId: null, epoch: 4, at: T0 + 5000 }),
      ]);

      expect(await store.getSession(other.session.id)).toEqual(other.session);
      expect(await store.deleteUser(user.id, T0 + 7000)).toBe(false);
      // The e-mail is free again once its owner is gone.
      await store.createUser(makeUser({ email: user.email }));
    });
  });
}
