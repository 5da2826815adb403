import { type OutgoingMail, TesseraError } from "@tessera/core";
import { afterEach, describe, expect, it } from "vitest";
import { CTX, type Harness, outcome, PASSWORD, setUp, signUpAndIn } from "../test-support/harness.js";

const NEW_PASSWORD = "a different passphrase 9";
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A harness whose mailer collects the mails; returns the token of the last one. */
async function withMailbox(overrides: Parameters<typeof setUp>[0] = {}) {
  const mails: OutgoingMail[] = [];
  h = await setUp({
    mailer: { send: (mail) => mails.push(mail) },
    appUrl: "https://app.test/",
    ...overrides,
  });
  const lastToken = () => mails.at(-1)?.link.split("#token=")[1] ?? "";
  return { harness: h, mails, lastToken };
}

describe("password reset (core)", () => {
  it("a link of https://app.test/reset-password#token=… that works for 30 minutes only", async () => {
    const { harness, mails, lastToken } = await withMailbox();
    const { email } = await signUpAndIn(harness.tessera);
    await harness.tessera.requestPasswordReset({ email, context: CTX });
    expect(mails.at(-1)).toMatchObject({ kind: "password_reset", to: email });
    expect(mails.at(-1)?.link).toMatch(/^https:\/\/app\.test\/reset-password#token=[A-Za-z0-9_-]{43}$/);
    harness.clock.advance(30 * 60_000);
    const reset = harness.tessera.resetPassword({
      token: lastToken(),
      newPassword: NEW_PASSWORD,
      context: CTX,
    });
    expect(await outcome(reset)).toBe("invalid_token");
    await harness.tessera.requestPasswordReset({ email, context: CTX });
    harness.clock.advance(30 * 60_000 - 1);
    expect(
      await outcome(
        harness.tessera.resetPassword({ token: lastToken(), newPassword: NEW_PASSWORD, context: CTX }),
      ),
    ).toBe("ok");
  });

  it("no reset link leaves when its audit event cannot be written", async () => {
    const { harness, mails } = await withMailbox();
    const { email } = await signUpAndIn(harness.tessera);
    const sent = mails.length;
    const { store } = harness;
    const appendAudit = store.appendAudit;
    store.appendAudit = async () => {
      throw new TesseraError("store_unavailable", "disk full");
    };
    try {
      expect(await outcome(harness.tessera.requestPasswordReset({ email, context: CTX }))).toBe(
        "store_unavailable",
      );
    } finally {
      store.appendAudit = appendAudit;
    }
    expect(mails.length).toBe(sent);
  });

  it("stores only the token's hash, and the audit rows carry no token", async () => {
    const { harness, lastToken } = await withMailbox();
    const { email } = await signUpAndIn(harness.tessera);
    await harness.tessera.requestPasswordReset({ email, context: CTX });
    const token = lastToken();
    await harness.tessera.resetPassword({ token, newPassword: NEW_PASSWORD, context: CTX });
    const audit = JSON.stringify(await harness.store.listAudit({}));
    expect(audit).toContain("password.reset");
    expect(audit).not.toContain(token);
    expect(await harness.store.getMailToken(token)).toBeNull();
  });

  it("reset marks the address verified; passwordReset: false refuses both calls", async () => {
    const { harness, lastToken } = await withMailbox();
    const { email, tokens } = await signUpAndIn(harness.tessera);
    await harness.tessera.requestPasswordReset({ email, context: CTX });
    await harness.tessera.resetPassword({ token: lastToken(), newPassword: NEW_PASSWORD, context: CTX });
    expect((await harness.tessera.getUser(tokens.user.id)).emailVerified).toBe(true);
    const off = await harness.another({ passwordReset: false });
    expect(await outcome(off.requestPasswordReset({ email, context: CTX }))).toBe("not_found");
    expect(
      await outcome(off.resetPassword({ token: lastToken(), newPassword: PASSWORD, context: CTX })),
    ).toBe("not_found");
  });

  it("a verification token is not a reset token, and the other way round", async () => {
    const { harness, mails, lastToken } = await withMailbox({ emailVerification: "optional" });
    const email = "both@example.com";
    await harness.tessera.register({ email, password: PASSWORD, context: CTX });
    expect(mails.at(-1)?.kind).toBe("email_verification");
    const verification = lastToken();
    await harness.tessera.requestPasswordReset({ email, context: CTX });
    const reset = lastToken();
    expect(
      await outcome(
        harness.tessera.resetPassword({ token: verification, newPassword: NEW_PASSWORD, context: CTX }),
      ),
    ).toBe("invalid_token");
    expect(await outcome(harness.tessera.verifyEmail({ token: reset, context: CTX }))).toBe("invalid_token");
    expect(await outcome(harness.tessera.verifyEmail({ token: verification, context: CTX }))).toBe("ok");
  });

  it("a disabled user gets no reset mail, and a link mailed before the disable is refused", async () => {
    const { harness, mails, lastToken } = await withMailbox();
    const { email } = await signUpAndIn(harness.tessera);
    await harness.tessera.requestPasswordReset({ email, context: CTX });
    const earlier = lastToken();
    const sent = mails.length;
    await harness.tessera.adminSetDisabled(email, true);
    expect(await outcome(harness.tessera.requestPasswordReset({ email, context: CTX }))).toBe("ok");
    expect(mails.length).toBe(sent);
    const reset = harness.tessera.resetPassword({ token: earlier, newPassword: NEW_PASSWORD, context: CTX });
    expect(await outcome(reset)).toBe("account_disabled");
    expect(await outcome(harness.tessera.login({ email, password: NEW_PASSWORD, context: CTX }))).toBe(
      "invalid_credentials",
    );
    // Enabled again, the unused link still works once.
    await harness.tessera.adminSetDisabled(email, false);
    expect(
      await outcome(
        harness.tessera.resetPassword({ token: earlier, newPassword: NEW_PASSWORD, context: CTX }),
      ),
    ).toBe("ok");
  });
});
