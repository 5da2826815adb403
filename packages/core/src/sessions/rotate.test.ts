import type { Store, TokenSet } from "@tessera/core";
import { afterEach, describe, expect, it } from "vitest";
import { CTX, gatedStore, type Harness, outcome, setUp, signUpAndIn } from "../test-support/harness.js";

const GRACE = 10_000;
/** Another network and another browser family than CTX. */
const THIEF = {
  ip: "198.51.100.66",
  userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
};
let h: Harness;
afterEach(async () => {
  await h.close();
});

const refresh = (token: string) => h.tessera.refresh({ refreshToken: token, context: CTX });
const audits = (store: Store, type: string) => store.listAudit({ type });

/** Fire `n` refreshes of one token at once and sort the answers. */
async function burst(token: string, n: number) {
  const settled = await Promise.allSettled(Array.from({ length: n }, () => refresh(token)));
  const wins = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const codes = settled.flatMap((s) =>
    s.status === "rejected" ? [(s.reason as { code?: string }).code ?? "thrown"] : [],
  );
  return { wins, codes };
}

describe("rule 1: single use, atomic", () => {
  it("rotates to a new refresh token and a working access token", async () => {
    h = await setUp();
    const { tokens } = await signUpAndIn(h.tessera);
    const next = await refresh(tokens.refreshToken);
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect(next.sessionId).toBe(tokens.sessionId);
    expect(next.csrfToken).toBe(tokens.csrfToken);
    expect((await h.tessera.authenticate(next.accessToken)).sid).toBe(tokens.sessionId);
    const stored = await h.store.getRefreshToken(tokens.refreshToken.slice(4, 26));
    expect(stored?.token.usedAt).toBe(h.clock.now());
  });

  it("grace 0: of 20 concurrent refreshes exactly one succeeds, and the family is revoked", async () => {
    h = await setUp({ refreshGraceMs: 0 });
    const { tokens } = await signUpAndIn(h.tessera);
    const { wins, codes } = await burst(tokens.refreshToken, 20);
    expect(wins).toHaveLength(1);
    expect(codes).toHaveLength(19);
    for (const code of codes) expect(["refresh_reused", "session_revoked"]).toContain(code);
    expect(codes).toContain("refresh_reused");
    const winner = wins[0] as TokenSet;
    expect(await outcome(refresh(winner.refreshToken))).toBe("session_revoked");
    expect(await outcome(h.tessera.authenticate(winner.accessToken))).toBe("token_revoked");
    expect((await h.store.getSession(tokens.sessionId))?.revokedReason).toBe("reuse_detected");
    expect((await audits(h.store, "refresh.reuse_detected")).length).toBeGreaterThan(0);
  });

  it("grace 0: a racer whose clock was read before the winner's rotation is reuse, not a re-issue", async () => {
    // Over several instances a loser can read its clock a moment before the winner stamps
    // `used_at`: "now < usedAt + 0" must not open a grace window of zero width.
    h = await setUp({ refreshGraceMs: 0 });
    const { tokens } = await signUpAndIn(h.tessera);
    const gate = gatedStore(h.store, "rotateRefreshToken");
    const slow = await h.another({ store: gate.store });
    const late = outcome(slow.refresh({ refreshToken: tokens.refreshToken, context: CTX }));
    await gate.arrived;
    h.clock.advance(5);
    const winner = await refresh(tokens.refreshToken);
    gate.release();
    expect(await late).toBe("refresh_reused");
    expect(await outcome(refresh(winner.refreshToken))).toBe("session_revoked");
  });

  it("the same burst against a store that lets every rotation win shows many winners (the check can fail)", async () => {
    h = await setUp({ refreshGraceMs: 0 });
    const { tokens } = await signUpAndIn(h.tessera);
    // A broken store: it never refuses a rotation (check-then-write without the compare).
    const real = h.store;
    const broken: Store = Object.create(real) as Store;
    broken.rotateRefreshToken = async (input) => {
      const stored = await real.getRefreshToken(input.tokenId);
      if (stored === null) return { outcome: "not_found" };
      const user = await real.getUserById(stored.session.userId);
      return user === null ? { outcome: "not_found" } : { outcome: "rotated", user };
    };
    const tessera = await h.another({ store: broken });
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, () => tessera.refresh({ refreshToken: tokens.refreshToken, context: CTX })),
    );
    expect(settled.filter((s) => s.status === "fulfilled").length).toBeGreaterThan(1);
  });
});

describe("rule 2: reuse outside the grace window", () => {
  it("revokes the family, kills the successor, audits a late race", async () => {
    h = await setUp({ refreshGraceMs: GRACE });
    const { tokens } = await signUpAndIn(h.tessera);
    const next = await refresh(tokens.refreshToken);
    h.clock.advance(GRACE);
    expect(await outcome(refresh(tokens.refreshToken))).toBe("refresh_reused");
    expect(await outcome(refresh(next.refreshToken))).toBe("session_revoked");
    expect(await outcome(h.tessera.authenticate(next.accessToken))).toBe("token_revoked");
    const [event] = await audits(h.store, "refresh.reuse_detected");
    expect(event).toMatchObject({ outcome: "failure", sessionId: tokens.sessionId });
    expect(event?.data.classification).toBe("late_race");
  });

  it("classifies a reuse long after the window as theft", async () => {
    h = await setUp({ refreshGraceMs: GRACE });
    const { tokens } = await signUpAndIn(h.tessera);
    await refresh(tokens.refreshToken);
    h.clock.advance(GRACE + 30_001);
    expect(await outcome(refresh(tokens.refreshToken))).toBe("refresh_reused");
    const [event] = await audits(h.store, "refresh.reuse_detected");
    expect(event?.data.classification).toBe("theft");
  });

  it("inside the window, once the successor has been used, re-presenting is reuse (theft)", async () => {
    h = await setUp({ refreshGraceMs: GRACE });
    const { tokens } = await signUpAndIn(h.tessera);
    const second = await refresh(tokens.refreshToken);
    const third = await refresh(second.refreshToken);
    h.clock.advance(1);
    expect(await outcome(refresh(tokens.refreshToken))).toBe("refresh_reused");
    expect(await outcome(refresh(third.refreshToken))).toBe("session_revoked");
    const [event] = await audits(h.store, "refresh.reuse_detected");
    expect(event?.data.classification).toBe("theft");
  });

  // Regression (issue 14, point 13): a thief's redemption within the window was classified late_race.
  it("classifies as theft a reuse just past the window when another context redeemed the token", async () => {
    h = await setUp({ refreshGraceMs: GRACE });
    const { tokens } = await signUpAndIn(h.tessera);
    // The thief redeems the stolen token first, from another network and browser.
    await h.tessera.refresh({ refreshToken: tokens.refreshToken, context: THIEF });
    h.clock.advance(GRACE);
    expect(await outcome(refresh(tokens.refreshToken))).toBe("refresh_reused");
    const [event] = await audits(h.store, "refresh.reuse_detected");
    expect(event?.data).toMatchObject({ classification: "theft", redeemedFrom: "other_context" });
  });

  it("classifies as theft the owner's reuse of a successor a thief got in the window and redeemed", async () => {
    h = await setUp({ refreshGraceMs: GRACE });
    const { tokens } = await signUpAndIn(h.tessera);
    const second = await refresh(tokens.refreshToken);
    // Within the window the thief re-presents the stolen first token and gets the same successor...
    h.clock.advance(1);
    const stolen = await h.tessera.refresh({ refreshToken: tokens.refreshToken, context: THIEF });
    expect(stolen.refreshToken).toBe(second.refreshToken);
    // ...and redeems it before the owner does.
    await h.tessera.refresh({ refreshToken: stolen.refreshToken, context: THIEF });
    h.clock.advance(GRACE);
    expect(await outcome(refresh(second.refreshToken))).toBe("refresh_reused");
    const [event] = await audits(h.store, "refresh.reuse_detected");
    expect(event?.data).toMatchObject({ classification: "theft", redeemedFrom: "other_context" });
  });

  it("a reuse of a revoked family answers session_revoked and writes no second detection", async () => {
    h = await setUp({ refreshGraceMs: 0 });
    const { tokens } = await signUpAndIn(h.tessera);
    await refresh(tokens.refreshToken);
    expect(await outcome(refresh(tokens.refreshToken))).toBe("refresh_reused");
    expect(await outcome(refresh(tokens.refreshToken))).toBe("session_revoked");
    expect(await audits(h.store, "refresh.reuse_detected")).toHaveLength(1);
  });
});

describe("rule 3: the grace window", () => {
  it("20 concurrent refreshes inside grace all get the same successor, which then works", async () => {
    h = await setUp({ refreshGraceMs: GRACE });
    const { tokens } = await signUpAndIn(h.tessera);
    const { wins, codes } = await burst(tokens.refreshToken, 20);
    expect(codes).toEqual([]);
    expect(wins).toHaveLength(20);
    const successors = new Set(wins.map((w) => w.refreshToken));
    expect(successors.size).toBe(1);
    expect(new Set(wins.map((w) => w.accessToken)).size).toBe(20); // a fresh access token each
    for (const w of wins) expect((await h.tessera.authenticate(w.accessToken)).sid).toBe(tokens.sessionId);
    const successor = wins[0]?.refreshToken as string;
    expect(successor).not.toBe(tokens.refreshToken);
    const after = await refresh(successor);
    expect(after.refreshToken).not.toBe(successor);
    expect(await audits(h.store, "refresh.grace_reissued")).toHaveLength(19);
    expect(await audits(h.store, "refresh.reuse_detected")).toHaveLength(0);
  });

  // Regression (issue 14, point 2, grace path): the user was read after the family's state, so a
  // logout-all committed in between was missed and the re-issued token carried the NEW epoch.
  it("a re-issue racing a logout-all never hands out a token of the new epoch for the revoked family", async () => {
    h = await setUp({ refreshGraceMs: GRACE });
    const { tokens } = await signUpAndIn(h.tessera);
    await refresh(tokens.refreshToken);
    const real = h.store;
    const racing: Store = Object.create(real) as Store;
    let userId: string | null = null;
    // The logout-all commits while the re-issue reads the user.
    racing.getUserById = async (id) => {
      if (userId === null) {
        userId = id;
        await real.revokeUserSessions({ userId: id, now: h.clock.now(), reason: "logout_all" });
      }
      return real.getUserById(id);
    };
    const tessera = await h.another({ store: racing });
    const answer = await tessera.refresh({ refreshToken: tokens.refreshToken, context: CTX }).then(
      (set) => set,
      (error: { code?: string }) => error.code,
    );
    expect(userId).not.toBeNull();
    expect(answer).toBe("session_revoked");
  });

  it("a lost response: presenting the old token again later in the window returns the same successor", async () => {
    h = await setUp({ refreshGraceMs: GRACE });
    const { tokens } = await signUpAndIn(h.tessera);
    const first = await refresh(tokens.refreshToken);
    h.clock.advance(GRACE - 1);
    const again = await refresh(tokens.refreshToken);
    expect(again.refreshToken).toBe(first.refreshToken);
    expect(again.accessToken).not.toBe(first.accessToken);
  });

  it("never slides: re-presentations do not extend the window", async () => {
    h = await setUp({ refreshGraceMs: GRACE });
    const { tokens } = await signUpAndIn(h.tessera);
    const first = await refresh(tokens.refreshToken);
    for (let i = 0; i < 3; i++) {
      h.clock.advance(GRACE / 4);
      expect((await refresh(tokens.refreshToken)).refreshToken).toBe(first.refreshToken);
    }
    h.clock.advance(GRACE / 4); // now exactly GRACE after the first use
    expect(await outcome(refresh(tokens.refreshToken))).toBe("refresh_reused");
  });

  it("only the immediately previous token qualifies", async () => {
    h = await setUp({ refreshGraceMs: GRACE });
    const { tokens } = await signUpAndIn(h.tessera);
    const second = await refresh(tokens.refreshToken);
    await refresh(second.refreshToken);
    expect(await outcome(refresh(second.refreshToken))).toBe("ok"); // previous of the live token: grace
    expect(await outcome(refresh(tokens.refreshToken))).toBe("refresh_reused"); // two back: reuse
  });

  it("does not answer for a family revoked inside the window", async () => {
    h = await setUp({ refreshGraceMs: GRACE });
    const { tokens } = await signUpAndIn(h.tessera);
    const next = await refresh(tokens.refreshToken);
    await h.tessera.logout({ refreshToken: next.refreshToken, context: CTX });
    expect(await outcome(refresh(tokens.refreshToken))).toBe("session_revoked");
  });
});

describe("rule 4: lifetimes", () => {
  const MIN = 60_000;

  it("idle expiry: a token unused for refreshTtl is refresh_expired; each refresh restarts the clock", async () => {
    h = await setUp({ refreshTtlMs: 60 * MIN, sessionMaxAgeMs: 600 * MIN });
    const { tokens } = await signUpAndIn(h.tessera);
    h.clock.advance(59 * MIN);
    const next = await refresh(tokens.refreshToken);
    h.clock.advance(59 * MIN);
    const third = await refresh(next.refreshToken);
    h.clock.advance(60 * MIN);
    expect(await outcome(refresh(third.refreshToken))).toBe("refresh_expired");
  });

  it("absolute expiry: the family dies at sessionMaxAge however often it refreshes", async () => {
    h = await setUp({ refreshTtlMs: 60 * MIN, sessionMaxAgeMs: 120 * MIN });
    const { tokens } = await signUpAndIn(h.tessera);
    expect(tokens.sessionExpiresAt).toBe(h.clock.now() + 120 * MIN);
    let current = tokens.refreshToken;
    for (let i = 0; i < 2; i++) {
      h.clock.advance(50 * MIN);
      current = (await refresh(current)).refreshToken;
    }
    // The last token's idle expiry is capped at the session's end.
    const stored = await h.store.getRefreshToken(current.slice(4, 26));
    expect(stored?.token.expiresAt).toBe(tokens.sessionExpiresAt);
    h.clock.advance(20 * MIN - 1);
    current = (await refresh(current)).refreshToken;
    h.clock.advance(1);
    expect(await outcome(refresh(current))).toBe("session_expired");
  });
});

describe("invalid tokens are never a reuse trigger", () => {
  it("malformed, unknown id and wrong secret are refresh_invalid and leave the family alone", async () => {
    h = await setUp();
    const { tokens } = await signUpAndIn(h.tessera);
    const [id, secret] = tokens.refreshToken.slice(4).split(".") as [string, string];
    const otherSecret = `${secret.slice(0, -2)}${secret.endsWith("AA") ? "BA" : "AA"}`;
    for (const bad of [
      "",
      "garbage",
      `tsr_${id}`,
      `tsr_${"A".repeat(22)}.${secret}`,
      `tsr_${id}.${otherSecret}`,
      `${tokens.refreshToken} `,
    ]) {
      expect(await outcome(refresh(bad))).toBe("refresh_invalid");
    }
    expect(await outcome(refresh(tokens.refreshToken))).toBe("ok");
    expect(await audits(h.store, "refresh.reuse_detected")).toHaveLength(0);
  });
});

describe("DPoP-bound families", () => {
  const JKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
  const OTHER = "1ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";

  it("carry cnf.jkt and refuse a refresh without the same key before using the token", async () => {
    h = await setUp();
    const { tokens } = await signUpAndIn(h.tessera, { dpopJkt: JKT });
    expect((await h.tessera.authenticate(tokens.accessToken)).cnf).toEqual({ jkt: JKT });
    expect(await outcome(refresh(tokens.refreshToken))).toBe("refresh_invalid");
    expect(
      await outcome(h.tessera.refresh({ refreshToken: tokens.refreshToken, context: CTX, dpopJkt: OTHER })),
    ).toBe("refresh_invalid");
    const next = await h.tessera.refresh({ refreshToken: tokens.refreshToken, context: CTX, dpopJkt: JKT });
    expect((await h.tessera.authenticate(next.accessToken)).cnf).toEqual({ jkt: JKT });
  });

  it("unbound families carry no cnf", async () => {
    h = await setUp();
    const { tokens } = await signUpAndIn(h.tessera);
    expect((await h.tessera.authenticate(tokens.accessToken)).cnf).toBeUndefined();
  });
});
