import { afterEach, describe, expect, it } from "vitest";
import { CTX, type Harness, outcome, setUp, signUpAndIn } from "../test-support/harness.js";

const GRACE = 10_000;
let h: Harness;
afterEach(async () => {
  await h.close();
});

const refresh = (refreshToken: string, csrfToken?: string) =>
  h.tessera.refresh({ refreshToken, context: CTX, ...(csrfToken === undefined ? {} : { csrfToken }) });

describe("refresh({ csrfToken }): the CSRF gate on the rotation's own lookup", () => {
  it("rotates with the session's CSRF token", async () => {
    h = await setUp({ refreshGraceMs: GRACE });
    const { tokens } = await signUpAndIn(h.tessera);
    const next = await refresh(tokens.refreshToken, tokens.csrfToken);
    expect(next.sessionId).toBe(tokens.sessionId);
    expect(await h.store.listAudit({ type: "refresh.rotated" })).toHaveLength(1);
  });

  it("a wrong, empty or non-canonical CSRF token is csrf_invalid and consumes nothing", async () => {
    h = await setUp({ refreshGraceMs: GRACE });
    const { tokens } = await signUpAndIn(h.tessera);
    const { tokens: other } = await signUpAndIn(h.tessera);
    for (const csrf of [other.csrfToken, "", `${tokens.csrfToken}=`, tokens.csrfToken.slice(1)]) {
      expect(await outcome(refresh(tokens.refreshToken, csrf))).toBe("csrf_invalid");
    }
    const stored = await h.store.getRefreshToken(tokens.refreshToken.slice(4, 26));
    expect(stored?.token.usedAt).toBeNull();
    expect(await h.store.listAudit({ type: "refresh.rotated" })).toHaveLength(0);
    expect(await outcome(refresh(tokens.refreshToken, tokens.csrfToken))).toBe("ok");
  });

  it("a forged refresh of a used token is no reuse trigger: the family stays alive", async () => {
    h = await setUp({ refreshGraceMs: GRACE });
    const { tokens } = await signUpAndIn(h.tessera);
    const { tokens: other } = await signUpAndIn(h.tessera);
    const next = await refresh(tokens.refreshToken, tokens.csrfToken);
    // Inside the grace window the old token is still current: a forgery is told apart (403).
    expect(await outcome(refresh(tokens.refreshToken, other.csrfToken))).toBe("csrf_invalid");
    h.clock.advance(GRACE);
    // Past it the old token opens nothing: 401 without revoking anything.
    expect(await outcome(refresh(tokens.refreshToken, other.csrfToken))).toBe("refresh_invalid");
    expect(await h.store.listAudit({ type: "refresh.reuse_detected" })).toHaveLength(0);
    expect((await h.store.getSession(tokens.sessionId))?.revokedAt).toBeNull();
    expect(await outcome(refresh(next.refreshToken, tokens.csrfToken))).toBe("ok");
  });

  it("on a dead session a wrong CSRF token answers the session's own failure", async () => {
    h = await setUp({ refreshGraceMs: GRACE });
    const { tokens } = await signUpAndIn(h.tessera);
    await h.tessera.logout({ refreshToken: tokens.refreshToken, context: CTX });
    expect(await outcome(refresh(tokens.refreshToken, "forged"))).toBe("session_revoked");
    expect(await outcome(refresh("tsr_unknown", tokens.csrfToken))).toBe("refresh_invalid");
  });
});
