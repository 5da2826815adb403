import { checkPasswordPolicy, normaliseEmail, type PasswordHasher } from "@tessera/core";
import { createTestHasher } from "@tessera/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { CTX, type Harness, outcome, PASSWORD, setUp, signUpAndIn } from "../test-support/harness.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return "ok";
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe("e-mail normalisation", () => {
  it("trims, composes (NFC) and lower-cases", () => {
    expect(normaliseEmail("  Ada@Example.COM\t")).toBe("ada@example.com");
    expect(normaliseEmail("Jose\u0301@example.com")).toBe("jos\u00e9@example.com");
  });
  it.each([
    "",
    "   ",
    "no-at-sign",
    "two@@example.com",
    "a@b@example.com",
    "@example.com",
    "ada@",
    "ada lovelace@example.com",
    "ada\u0000@example.com",
    "ada\u200b@example.com",
    `${"a".repeat(243)}@example.com`,
  ])("refuses %j", (email) => {
    expect(codeOf(() => normaliseEmail(email))).toBe("invalid_input");
  });
  it("accepts 254 characters and refuses 255", () => {
    expect(codeOf(() => normaliseEmail(`${"a".repeat(242)}@example.com`))).toBe("ok");
    expect(codeOf(() => normaliseEmail(`${"a".repeat(243)}@example.com`))).toBe("invalid_input");
  });
});

describe("password policy", () => {
  const email = "ada@example.com";
  it.each([
    ["7 characters", "1234567", "weak_password"],
    ["8 characters", "12345678", "ok"],
    ["256 characters", "x".repeat(256), "ok"],
    ["257 characters", "x".repeat(257), "weak_password"],
    ["8 emoji (16 UTF-16 units)", "😀".repeat(8), "ok"],
    ["7 emoji (14 UTF-16 units)", "😀".repeat(7), "weak_password"],
    ["only whitespace", " \t \u00a0    \n", "weak_password"],
    ["the e-mail", "ada@example.com", "weak_password"],
    ["the e-mail in capitals", " ADA@EXAMPLE.COM ", "weak_password"],
  ])("%s → %s", (_name, password, expected) => {
    expect(codeOf(() => checkPasswordPolicy(password, email))).toBe(expected);
  });
});

describe("registration", () => {
  it("stores the normalised e-mail and refuses a duplicate in another spelling", async () => {
    h = await setUp();
    const user = await h.tessera.register({ email: " Ada@Example.com ", password: PASSWORD, context: CTX });
    expect(user.email).toBe("ada@example.com");
    expect(await h.tessera.getUser(user.id)).toEqual({ ...user, emailVerified: false });
    expect(
      await outcome(h.tessera.register({ email: "ADA@example.com", password: PASSWORD, context: CTX })),
    ).toBe("email_taken");
    expect(await h.store.listAudit({ type: "user.registered" })).toHaveLength(1);
  });

  it("reports invalid input and weak passwords with their codes", async () => {
    h = await setUp();
    expect(await outcome(h.tessera.register({ email: "nope", password: PASSWORD, context: CTX }))).toBe(
      "invalid_input",
    );
    expect(await outcome(h.tessera.register({ email: "a@b.c", password: "short", context: CTX }))).toBe(
      "weak_password",
    );
  });

  it("is refused when closed, while an administrator can still add users", async () => {
    h = await setUp({ registration: "closed" });
    expect(await outcome(h.tessera.register({ email: "a@b.c", password: PASSWORD, context: CTX }))).toBe(
      "registration_closed",
    );
    const user = await h.tessera.adminCreateUser("a@b.c", PASSWORD);
    expect((await h.tessera.adminListUsers()).map((u) => u.id)).toEqual([user.id]);
  });
});

/** The test hasher, counting calls and remembering the hashes it was asked to verify against. */
function countingHasher() {
  const inner = createTestHasher();
  const calls = { hash: 0, verify: 0, verifiedAgainst: [] as string[] };
  const hasher: PasswordHasher = {
    hash: (p) => {
      calls.hash++;
      return inner.hash(p);
    },
    verify: (hash, p) => {
      calls.verify++;
      calls.verifiedAgainst.push(hash);
      return inner.verify(hash, p);
    },
  };
  return { hasher, calls };
}

describe("login", () => {
  it("an unknown e-mail costs exactly one verify against a same-parameter hash, and answers like a wrong password", async () => {
    const { hasher, calls } = countingHasher();
    h = await setUp({ passwordHasher: hasher });
    const { email } = await signUpAndIn(h.tessera);
    const realHash = (await h.store.getUserByEmail(email))?.passwordHash as string;
    const login = (e: string, p: string) => h.tessera.login({ email: e, password: p, context: CTX });

    for (const [e, p] of [
      ["nobody@example.com", PASSWORD],
      [email, "wrong password!"],
      ["not an e-mail", PASSWORD],
    ] as const) {
      const before = { ...calls };
      expect(await outcome(login(e, p))).toBe("invalid_credentials");
      expect(calls.verify - before.verify).toBe(1);
      expect(calls.hash - before.hash).toBe(0);
    }
    const params = (phc: string) => phc.split("$").slice(1, 4).join("$"); // argon2id$v=19$m=…,t=…,p=…
    expect(calls.verifiedAgainst.at(-3)).not.toBe(realHash);
    expect(params(calls.verifiedAgainst.at(-3) as string)).toBe(params(realHash));
    const reasons = (await h.store.listAudit({ type: "login.failed" })).map((e) => e.data.reason);
    expect(reasons.sort()).toEqual(["unknown_user", "unknown_user", "wrong_password"]);
    expect(JSON.stringify(await h.store.listAudit({}))).not.toContain("nobody@example.com");
  });

  it("normalises the e-mail and the password (NFC) the same way as registration", async () => {
    h = await setUp();
    await h.tessera.register({ email: "jos\u00e9@example.com", password: "caf\u00e9 au lait", context: CTX });
    const tokens = await h.tessera.login({
      email: " JOSE\u0301@EXAMPLE.COM",
      password: "cafe\u0301 au lait",
      context: CTX,
    });
    expect(tokens.user.email).toBe("jos\u00e9@example.com");
    expect(await h.store.listAudit({ type: "login.succeeded" })).toHaveLength(1);
    expect(await h.store.listAudit({ type: "token.issued" })).toHaveLength(1);
  });
});

describe("password change", () => {
  it("checks the current password and the policy, then revokes every other session and older tokens", async () => {
    h = await setUp();
    const { email, tokens: mine } = await signUpAndIn(h.tessera);
    const other = await h.tessera.login({ email, password: PASSWORD, context: CTX });
    const claims = await h.tessera.authenticate(mine.accessToken);
    const change = (currentPassword: string, newPassword: string) =>
      h.tessera.changePassword(claims, { currentPassword, newPassword, context: CTX });

    expect(await outcome(change("wrong password", "a brand new secret"))).toBe("invalid_credentials");
    expect(await outcome(change(PASSWORD, "short"))).toBe("weak_password");
    expect(await outcome(change(PASSWORD, "a brand new secret"))).toBe("ok");

    expect(await outcome(h.tessera.authenticate(mine.accessToken))).toBe("token_revoked");
    expect(await outcome(h.tessera.refresh({ refreshToken: other.refreshToken, context: CTX }))).toBe(
      "session_revoked",
    );
    const renewed = await h.tessera.refresh({ refreshToken: mine.refreshToken, context: CTX });
    expect(await outcome(h.tessera.authenticate(renewed.accessToken))).toBe("ok");
    expect(await outcome(h.tessera.login({ email, password: PASSWORD, context: CTX }))).toBe(
      "invalid_credentials",
    );
    expect(await outcome(h.tessera.login({ email, password: "a brand new secret", context: CTX }))).toBe(
      "ok",
    );
    expect(await h.store.listAudit({ type: "user.password_changed" })).toHaveLength(1);
  });
});

describe("account deletion", () => {
  it("needs the password, then kills every session and token", async () => {
    h = await setUp();
    const { email, tokens } = await signUpAndIn(h.tessera);
    const claims = await h.tessera.authenticate(tokens.accessToken);
    expect(await outcome(h.tessera.deleteAccount(claims, { password: "wrong password", context: CTX }))).toBe(
      "invalid_credentials",
    );
    await h.tessera.deleteAccount(claims, { password: PASSWORD, context: CTX });
    expect(await outcome(h.tessera.authenticate(tokens.accessToken))).toBe("token_revoked");
    expect(await outcome(h.tessera.refresh({ refreshToken: tokens.refreshToken, context: CTX }))).toBe(
      "refresh_invalid",
    );
    expect(await outcome(h.tessera.login({ email, password: PASSWORD, context: CTX }))).toBe(
      "invalid_credentials",
    );
    expect(await outcome(h.tessera.getUser(claims.sub))).toBe("not_found");
    expect(await h.store.listAudit({ type: "user.deleted" })).toHaveLength(1);
  });

  it("an administrator deletes by e-mail or id; unknown users answer false", async () => {
    h = await setUp();
    const { email } = await signUpAndIn(h.tessera);
    const { tokens } = await signUpAndIn(h.tessera);
    expect(await h.tessera.adminDeleteUser(email.toUpperCase())).toBe(true);
    expect(await h.tessera.adminDeleteUser(tokens.user.id)).toBe(true);
    expect(await h.tessera.adminDeleteUser(tokens.user.id)).toBe(false);
    expect(await h.tessera.adminListUsers()).toEqual([]);
  });
});
