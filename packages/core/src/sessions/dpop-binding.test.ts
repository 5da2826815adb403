import { afterEach, describe, expect, it } from "vitest";
import { CTX, type Harness, outcome, setUp, signUpAndIn } from "../test-support/harness.js";

// Issue 14.6: RFC 9449 §5 — refresh tokens issued to public clients MUST be bound. A family that
// logged in without DPoP and refreshes with a proof stayed unbound (Bearer) before.

const JKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
const OTHER = "1ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
let h: Harness;
afterEach(async () => {
  await h.close();
});

const refresh = (refreshToken: string, dpopJkt?: string) =>
  h.tessera.refresh({ refreshToken, context: CTX, ...(dpopJkt === undefined ? {} : { dpopJkt }) });

describe("binding an unbound family at a refresh with a proof", () => {
  it("binds the family from that rotation on: cnf.jkt, and the key is required afterwards", async () => {
    h = await setUp();
    const { tokens } = await signUpAndIn(h.tessera);
    h.clock.advance(1000);
    const bound = await refresh(tokens.refreshToken, JKT);
    expect((await h.tessera.authenticate(bound.accessToken)).cnf).toEqual({ jkt: JKT });
    expect(await h.store.getSession(tokens.sessionId)).toMatchObject({
      dpopJkt: JKT,
      dpopBoundAt: h.clock.now(),
    });
    expect(await h.store.listAudit({ type: "session.dpop_bound" })).toHaveLength(1);

    h.clock.advance(1000);
    expect(await outcome(refresh(bound.refreshToken))).toBe("refresh_invalid");
    expect(await outcome(refresh(bound.refreshToken, OTHER))).toBe("refresh_invalid");
    const next = await refresh(bound.refreshToken, JKT);
    expect((await h.tessera.authenticate(next.accessToken)).cnf).toEqual({ jkt: JKT });
    expect((await h.store.getSession(tokens.sessionId))?.revokedAt).toBeNull();
  });

  it("a bearer token from before the binding, presented again, is still reuse: the family dies", async () => {
    // The thief binds a stolen unbound token to its own key; the real holder's next refresh with
    // the old token must still reveal the theft (not be shielded as "another key").
    h = await setUp({ refreshGraceMs: 0 });
    const { tokens } = await signUpAndIn(h.tessera);
    h.clock.advance(1000);
    const thief = await refresh(tokens.refreshToken, OTHER);
    h.clock.advance(1000);
    expect(await outcome(refresh(tokens.refreshToken))).toBe("refresh_reused");
    expect(await outcome(refresh(thief.refreshToken, OTHER))).toBe("session_revoked");
  });

  it("inside the grace window, the old token without the new key gets no successor", async () => {
    h = await setUp({ refreshGraceMs: 10_000 });
    const { tokens } = await signUpAndIn(h.tessera);
    h.clock.advance(1000);
    await refresh(tokens.refreshToken, JKT);
    h.clock.advance(1000);
    // The holder's own retry (same key) is the idempotent grace answer.
    const retry = await refresh(tokens.refreshToken, JKT);
    expect((await h.tessera.authenticate(retry.accessToken)).cnf).toEqual({ jkt: JKT });
    // Someone else with the same bearer token is reuse, not a copy of the bound successor.
    expect(await outcome(refresh(tokens.refreshToken))).toBe("refresh_reused");
  });

  it("racing refreshes of one token with one key: all answered with the one successor, bound once", async () => {
    h = await setUp({ refreshGraceMs: 10_000 });
    const { tokens } = await signUpAndIn(h.tessera);
    const answers = await Promise.all(Array.from({ length: 8 }, () => refresh(tokens.refreshToken, JKT)));
    expect(new Set(answers.map((a) => a.refreshToken)).size).toBe(1);
    expect(await h.store.getSession(tokens.sessionId)).toMatchObject({ dpopJkt: JKT, revokedAt: null });
    expect(await h.store.listAudit({ type: "session.dpop_bound" })).toHaveLength(1);
    expect(await outcome(refresh(answers[0]?.refreshToken as string))).toBe("refresh_invalid");
  });

  it("a family bound at login never changes key", async () => {
    h = await setUp();
    const { tokens } = await signUpAndIn(h.tessera, { dpopJkt: JKT });
    expect(await outcome(refresh(tokens.refreshToken, OTHER))).toBe("refresh_invalid");
    expect(await outcome(refresh(tokens.refreshToken))).toBe("refresh_invalid");
    expect(await h.store.getSession(tokens.sessionId)).toMatchObject({ dpopJkt: JKT, revokedAt: null });
  });
});
