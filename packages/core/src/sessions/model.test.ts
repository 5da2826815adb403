// Property test: random sequences of logins, refreshes (latest, old, concurrent pairs), logouts,
// logout-all, access checks and clock moves, run against the real service on SQLite and against
// a tiny reference model of the rotation rules 1–4 (root README). Any disagreement fails the property.
import type { AccessTokenClaims, TokenSet } from "@tessera/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CTX, type Harness, outcome, PASSWORD, setUp } from "../test-support/harness.js";

const REFRESH_TTL = 60_000;
const SESSION_MAX_AGE = 300_000;
const ACCESS_TTL = 60_000;

type Command =
  | { op: "login" }
  | { op: "refresh"; family: number; back: number }
  | { op: "pair"; family: number; back: number }
  | { op: "logout"; family: number }
  | { op: "logoutAll" }
  | { op: "access"; family: number }
  | { op: "advance"; ms: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ op: "login" as const }) },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant("refresh" as const),
      family: fc.nat(3),
      back: fc.oneof(fc.constant(0), fc.nat(3)),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("pair" as const),
      family: fc.nat(3),
      back: fc.oneof(fc.constant(0), fc.nat(2)),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("logout" as const), family: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.constant({ op: "logoutAll" as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("access" as const), family: fc.nat(3) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("advance" as const),
      ms: fc.constantFrom(1, 500, 3_000, 9_999, 10_000, 11_000, 45_000, 61_000),
    }),
  },
);

interface MToken {
  expiresAt: number;
  usedAt: number | null;
  successor: string | null;
}
interface MFamily {
  expiresAt: number;
  revoked: boolean;
  chain: string[];
  access: { token: string; exp: number; epoch: number };
}

/** What the model says presenting a token does. */
type Decision =
  | { kind: "rotate" }
  | { kind: "grace"; successor: string }
  | { kind: "reuse" }
  | { kind: "error"; code: "session_revoked" | "session_expired" | "refresh_expired" };

class Model {
  readonly tokens = new Map<string, MToken>();
  readonly families: MFamily[] = [];
  epoch = 0;
  constructor(readonly grace: number) {}

  decide(family: MFamily, token: string, now: number): Decision {
    const t = this.tokens.get(token) as MToken;
    if (family.revoked) return { kind: "error", code: "session_revoked" };
    if (now >= family.expiresAt) return { kind: "error", code: "session_expired" };
    if (t.usedAt !== null) {
      const s = this.tokens.get(t.successor as string) as MToken;
      if (now < t.usedAt + this.grace && s.usedAt === null && now < s.expiresAt) {
        return { kind: "grace", successor: t.successor as string };
      }
      return { kind: "reuse" };
    }
    if (now >= t.expiresAt) return { kind: "error", code: "refresh_expired" };
    return { kind: "rotate" };
  }

  rotate(family: MFamily, token: string, successor: string, now: number): void {
    const t = this.tokens.get(token) as MToken;
    expect(this.tokens.has(successor), "a rotation must mint a token never seen before").toBe(false);
    t.usedAt = now;
    t.successor = successor;
    this.tokens.set(successor, {
      expiresAt: Math.min(now + REFRESH_TTL, family.expiresAt),
      usedAt: null,
      successor: null,
    });
    family.chain.push(successor);
  }

  issued(family: MFamily, set: TokenSet, now: number): void {
    family.access = {
      token: set.accessToken,
      exp: Math.floor(now / 1000) + ACCESS_TTL / 1000,
      epoch: this.epoch,
    };
  }
}

async function run(h: Harness, model: Model, commands: Command[]): Promise<void> {
  const email = "model@example.com";
  await h.tessera.register({ email, password: PASSWORD, context: CTX });
  let claims: AccessTokenClaims | null = null;
  const refresh = (token: string) => h.tessera.refresh({ refreshToken: token, context: CTX });
  const pick = (i: number) => model.families[i % Math.max(1, model.families.length)];

  for (const c of commands) {
    const now = h.clock.now();
    if (c.op === "advance") {
      h.clock.advance(c.ms);
    } else if (c.op === "login") {
      const set = await h.tessera.login({ email, password: PASSWORD, context: CTX });
      claims ??= await h.tessera.authenticate(set.accessToken);
      const family: MFamily = {
        expiresAt: now + SESSION_MAX_AGE,
        revoked: false,
        chain: [set.refreshToken],
        access: { token: "", exp: 0, epoch: 0 },
      };
      model.tokens.set(set.refreshToken, { expiresAt: now + REFRESH_TTL, usedAt: null, successor: null });
      model.issued(family, set, now);
      model.families.push(family);
    } else if (c.op === "logoutAll") {
      if (claims === null) continue;
      await h.tessera.logoutAll(claims, CTX);
      model.epoch++;
      for (const f of model.families) f.revoked = true;
    } else {
      const family = pick(c.family);
      if (family === undefined) continue;
      if (c.op === "logout") {
        await h.tessera.logout({ refreshToken: family.chain.at(-1) as string, context: CTX });
        family.revoked = true;
      } else if (c.op === "access") {
        const { token, exp, epoch } = family.access;
        const expected =
          Math.floor(now / 1000) >= exp
            ? "token_expired"
            : family.revoked || epoch < model.epoch
              ? "token_revoked"
              : "ok";
        expect(await outcome(h.tessera.authenticate(token)), "authenticate").toBe(expected);
      } else {
        const token = family.chain[Math.max(0, family.chain.length - 1 - c.back)] as string;
        if (c.op === "refresh") await single(model, family, token, now, refresh);
        else await pair(model, family, token, now, refresh);
      }
    }
  }
}

async function single(
  model: Model,
  family: MFamily,
  token: string,
  now: number,
  refresh: (t: string) => Promise<TokenSet>,
): Promise<void> {
  const decision = model.decide(family, token, now);
  let result: TokenSet | string;
  try {
    result = await refresh(token);
  } catch (error) {
    result = (error as { code: string }).code;
  }
  switch (decision.kind) {
    case "rotate":
      expect(typeof result, "rotation succeeds").toBe("object");
      model.rotate(family, token, (result as TokenSet).refreshToken, now);
      model.issued(family, result as TokenSet, now);
      break;
    case "grace":
      expect((result as TokenSet).refreshToken, "grace answers the same successor").toBe(decision.successor);
      model.issued(family, result as TokenSet, now);
      break;
    case "reuse":
      expect(result).toBe("refresh_reused");
      family.revoked = true;
      break;
    case "error":
      expect(result).toBe(decision.code);
  }
}

async function pair(
  model: Model,
  family: MFamily,
  token: string,
  now: number,
  refresh: (t: string) => Promise<TokenSet>,
): Promise<void> {
  const first = model.decide(family, token, now);
  const settled = await Promise.allSettled([refresh(token), refresh(token)]);
  const wins = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const codes = settled.flatMap((s) =>
    s.status === "rejected" ? [(s.reason as { code: string }).code] : [],
  );
  if (first.kind === "rotate") {
    expect(wins.length, "at least the winner succeeds").toBeGreaterThanOrEqual(1);
    const successor = (wins[0] as TokenSet).refreshToken;
    model.rotate(family, token, successor, now);
    model.issued(family, wins[0] as TokenSet, now);
    if (model.grace > 0) {
      expect(
        wins.map((w) => w.refreshToken),
        "both racers hold the one successor",
      ).toEqual([successor, successor]);
    } else {
      expect(wins, "grace 0: exactly one winner").toHaveLength(1);
      expect(codes).toEqual(["refresh_reused"]);
      family.revoked = true;
    }
  } else if (first.kind === "grace") {
    expect(wins.map((w) => w.refreshToken)).toEqual([first.successor, first.successor]);
    model.issued(family, wins[1] as TokenSet, now);
  } else if (first.kind === "reuse") {
    expect(wins).toEqual([]);
    expect(codes).toContain("refresh_reused");
    for (const code of codes) expect(["refresh_reused", "session_revoked"]).toContain(code);
    family.revoked = true;
  } else {
    expect(codes).toEqual([first.code, first.code]);
  }
}

describe("refresh rotation against a reference model", () => {
  it.each([0, 10_000])("never disagrees with the model (grace %i ms)", async (grace) => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 30 }), async (commands) => {
        const h = await setUp({
          refreshGraceMs: grace,
          refreshTtlMs: REFRESH_TTL,
          sessionMaxAgeMs: SESSION_MAX_AGE,
          accessTokenTtlMs: ACCESS_TTL,
        });
        try {
          await run(h, new Model(grace), [{ op: "login" }, ...commands]);
        } finally {
          await h.close();
        }
      }),
      { numRuns: 100 },
    );
  });
});
