import { afterEach, describe, expect, it } from "vitest";
import { CTX, type Harness, outcome, PASSWORD, setUp, signUpAndIn } from "../test-support/harness.js";

let h: Harness;
afterEach(async () => {
  await h.close();
});

describe("the audit log", () => {
  it("records each event type with who and where, and never a token, secret or password", async () => {
    h = await setUp({ refreshGraceMs: 10_000 });
    const secrets: string[] = [PASSWORD, "wrong password!", "a new password 123"];
    const { email, tokens } = await signUpAndIn(h.tessera);
    await outcome(h.tessera.login({ email, password: "wrong password!", context: CTX }));
    const second = await h.tessera.refresh({ refreshToken: tokens.refreshToken, context: CTX });
    const grace = await h.tessera.refresh({ refreshToken: tokens.refreshToken, context: CTX });
    h.clock.advance(10_000);
    await outcome(h.tessera.refresh({ refreshToken: tokens.refreshToken, context: CTX }));
    const other = await h.tessera.login({ email, password: PASSWORD, context: CTX });
    const claims = await h.tessera.authenticate(other.accessToken);
    await h.tessera.changePassword(claims, {
      currentPassword: PASSWORD,
      newPassword: secrets[2] as string,
      context: CTX,
    });
    const renewed = await h.tessera.refresh({ refreshToken: other.refreshToken, context: CTX });
    await h.tessera.logoutAll(await h.tessera.authenticate(renewed.accessToken), CTX);
    for (const set of [tokens, second, grace, other, renewed]) {
      secrets.push(
        set.refreshToken,
        set.refreshToken.split(".")[1] as string,
        set.accessToken,
        set.csrfToken,
      );
    }

    const events = await h.tessera.listAudit({});
    const types = new Set(events.map((e) => e.type));
    for (const type of [
      "key.created",
      "user.registered",
      "login.succeeded",
      "login.failed",
      "token.issued",
      "refresh.rotated",
      "refresh.grace_reissued",
      "refresh.reuse_detected",
      "session.revoked",
      "user.password_changed",
      "user.logout_all",
    ]) {
      expect(types, type).toContain(type);
    }
    const login = events.find((e) => e.type === "login.succeeded");
    expect(login).toMatchObject({
      userId: tokens.user.id,
      ip: CTX.ip,
      userAgent: CTX.userAgent,
      outcome: "success",
    });
    expect(events.find((e) => e.type === "login.failed")?.outcome).toBe("failure");

    const text = JSON.stringify(events);
    expect(text).toContain(tokens.sessionId); // the search below can find things
    for (const secret of secrets) expect(text.includes(secret)).toBe(false);
  });
});
