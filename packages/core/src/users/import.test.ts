import { createTestHasher, legacyHashesOf } from "@tessera/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { PasswordHasher } from "../api.js";
import type { Store } from "../store.js";
import { CTX, type Harness, outcome, setUp } from "../test-support/harness.js";

const OLD = "the old system's password";
const NEW = "a password set meanwhile 2";

/** A real hasher that counts its calls (to show how many verifications a login costs). */
function counting(): PasswordHasher & { calls: { hash: number; verify: number } } {
  const inner = createTestHasher();
  const calls = { hash: 0, verify: 0 };
  return {
    calls,
    hash: (password) => {
      calls.hash += 1;
      return inner.hash(password);
    },
    verify: (hash, password) => {
      calls.verify += 1;
      return inner.verify(hash, password);
    },
  };
}

describe("user import", () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it("imports valid users and skips each bad entry with its reason", async () => {
    h = await setUp();
    const hashes = await legacyHashesOf(OLD);
    await h.tessera.register({ email: "taken@example.com", password: OLD, context: CTX });
    const result = await h.tessera.adminImportUsers([
      { email: "Ada@Example.com", password_hash: hashes.bcrypt2y, roles: ["admin"], email_verified: true },
      { email: "nopass@example.com" },
      { email: "taken@example.com", password_hash: hashes.scrypt },
      { email: "ada@example.com", password_hash: hashes.pbkdf2 },
      { email: "not an address", password_hash: hashes.pbkdf2 },
      { email: "md5@example.com", password_hash: "5f4dcc3b5aa765d61d8327deb882cf99" },
      { email: "cut@example.com", password_hash: hashes.passlib.slice(0, -30) },
      {
        email: "dos@example.com",
        password_hash: "$pbkdf2-sha256$i=999999999$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
      },
      { email: "typo@example.com", passwordHash: hashes.argon2id },
      { email: "roles@example.com", roles: "admin" },
      { email: "number@example.com", password_hash: 7 },
      "just a string",
      null,
    ]);
    expect(result).toEqual({
      imported: 2,
      skipped: [
        { email: "taken@example.com", reason: "email_taken" },
        { email: "ada@example.com", reason: "email_taken" },
        { email: "not an address", reason: "invalid_email" },
        { email: "md5@example.com", reason: "unsupported_hash" },
        { email: "cut@example.com", reason: "malformed_hash" },
        { email: "dos@example.com", reason: "hash_cost_out_of_bounds" },
        { email: "typo@example.com", reason: "unknown_field" },
        { email: "roles@example.com", reason: "invalid_entry" },
        { email: "number@example.com", reason: "malformed_hash" },
        { email: "", reason: "invalid_entry" },
        { email: "", reason: "invalid_entry" },
      ],
    });
    expect((await h.store.getUserByEmail("ada@example.com"))?.passwordHash).toBe(hashes.bcrypt2y);
    expect((await h.store.getUserByEmail("ada@example.com"))?.emailVerified).toBe(true);
    expect(await h.store.getUserByEmail("nopass@example.com")).toMatchObject({
      emailVerified: false,
      disabledAt: null,
    });
    const imported = await h.store.listAudit({ type: "user.imported" });
    expect(imported.map((e) => e.data)).toEqual([
      { by: "admin", hash: "bcrypt" },
      { by: "admin", hash: "none" },
    ]);
    expect(JSON.stringify(imported)).not.toContain(hashes.bcrypt2y);
  });

  it("refuses more than 1,000 users, or no array, with invalid_input and imports none", async () => {
    h = await setUp();
    const users = Array.from({ length: 1_001 }, (_, i) => ({ email: `u${i}@example.com` }));
    expect(await outcome(h.tessera.adminImportUsers(users))).toBe("invalid_input");
    expect(await outcome(h.tessera.adminImportUsers({ users }))).toBe("invalid_input");
    expect(await h.store.listUsers()).toEqual([]);
    expect(await h.tessera.adminImportUsers([])).toEqual({ imported: 0, skipped: [] });
  });

  it("a wrong password costs one verification and changes nothing; the right one upgrades once", async () => {
    const hasher = counting();
    h = await setUp({ passwordHasher: hasher });
    const hashes = await legacyHashesOf(OLD);
    await h.tessera.adminImportUsers([{ email: "old@example.com", password_hash: hashes.scrypt }]);
    hasher.calls.hash = 0;
    hasher.calls.verify = 0;

    const login = (password: string) => h.tessera.login({ email: "old@example.com", password, context: CTX });
    expect(await outcome(login(`${OLD}!`))).toBe("invalid_credentials");
    // The one verification was scrypt's; the argon2 hasher ran neither a verify nor a hash.
    expect(hasher.calls).toEqual({ hash: 0, verify: 0 });
    expect((await h.store.getUserByEmail("old@example.com"))?.passwordHash).toBe(hashes.scrypt);

    expect(await outcome(login(OLD))).toBe("ok");
    expect(hasher.calls).toEqual({ hash: 1, verify: 0 });
    const upgraded = (await h.store.getUserByEmail("old@example.com"))?.passwordHash;
    expect(upgraded).toMatch(/^\$argon2id\$/);

    expect(await outcome(login(OLD))).toBe("ok");
    expect(hasher.calls).toEqual({ hash: 1, verify: 1 });
    expect((await h.store.getUserByEmail("old@example.com"))?.passwordHash).toBe(upgraded);
    expect(await outcome(login(`${OLD}!`))).toBe("invalid_credentials");
    const rehashed = await h.store.listAudit({ type: "user.password_rehashed" });
    expect(rehashed.map((e) => e.data)).toEqual([{ from: "scrypt" }]);
  });

  it("a user imported without a password cannot log in, at the cost of one verification", async () => {
    const hasher = counting();
    h = await setUp({ passwordHasher: hasher });
    await h.tessera.adminImportUsers([{ email: "nopass@example.com" }]);
    hasher.calls.verify = 0;
    for (const password of ["!", "", "anything at all"]) {
      expect(await outcome(h.tessera.login({ email: "nopass@example.com", password, context: CTX }))).toBe(
        "invalid_credentials",
      );
    }
    expect(hasher.calls.verify).toBe(3);
  });

  it("concurrent first logins of one imported user all succeed and one upgrade is written", async () => {
    h = await setUp();
    const hashes = await legacyHashesOf(OLD);
    await h.tessera.adminImportUsers([{ email: "many@example.com", password_hash: hashes.bcrypt2b }]);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        outcome(h.tessera.login({ email: "many@example.com", password: OLD, context: CTX })),
      ),
    );
    expect(results).toEqual(Array(8).fill("ok"));
    expect(await h.store.listAudit({ type: "user.password_rehashed" })).toHaveLength(1);
    expect((await h.store.getUserByEmail("many@example.com"))?.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it("an upgrade never overwrites a credential change that committed after the old hash was read", async () => {
    // The password is changed (by its owner elsewhere, or an admin) between the login's check of
    // the imported hash and its upgrade: the new password must survive, the old one must not.
    let raced: Promise<void> | undefined;
    const wrap = (store: Store): Store => ({
      ...store,
      async replacePasswordHash(userId, expected, hash) {
        raced ??= (async () => {
          await store.changeCredentials({
            userId,
            now: Date.now(),
            reason: "password_changed",
            passwordHash: await createTestHasher().hash(NEW),
          });
        })();
        await raced;
        return store.replacePasswordHash(userId, expected, hash);
      },
    });
    h = await setUp();
    const hashes = await legacyHashesOf(OLD);
    await h.tessera.adminImportUsers([{ email: "race@example.com", password_hash: hashes.pbkdf2 }]);
    const racing = await h.another({ store: wrap(h.store) });

    // The login that checked the old password lost to the change: no session.
    expect(await outcome(racing.login({ email: "race@example.com", password: OLD, context: CTX }))).toBe(
      "invalid_credentials",
    );
    const login = (password: string) =>
      h.tessera.login({ email: "race@example.com", password, context: CTX });
    expect(await outcome(login(OLD))).toBe("invalid_credentials");
    expect(await outcome(login(NEW))).toBe("ok");
  });
});
