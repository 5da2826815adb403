import { createHash } from "node:crypto";
import { normalizeIP } from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RateLimitRule } from "../config/duration.js";
import { HttpError } from "./http-error.js";

type Limiter = ReturnType<FastifyInstance["createRateLimit"]>;

/** Counts failures of one kind per (account, client IP) and refuses once the budget is spent. */
export interface FailureBudget {
  /** Throws 429 `rate_limited` (with `Retry-After`) when this account+IP has no failures left. */
  check(request: FastifyRequest, account: string): Promise<void>;
  /** Spends one failure. */
  spend(request: FastifyRequest, account: string): Promise<void>;
}

/** The server's rate limits; a `null` member is switched off (`off`). */
export interface RateLimits {
  /** Every request to `/auth/*` and `/oauth/*`, per client IP (`TESSERA_RATE_LIMIT_IP`). */
  perIp: ((request: FastifyRequest) => Promise<void>) | null;
  /** Registrations per client IP (the `TESSERA_RATE_LIMIT_LOGIN` budget). */
  register: ((request: FastifyRequest) => Promise<void>) | null;
  /** Failed logins, password changes and account deletions per account and IP. */
  failures: FailureBudget | null;
}

// IPv6 clients usually own a whole /64: count them as one.
const clientKey = (request: FastifyRequest) => normalizeIP(request.ip, 64);
const accountKey = (account: string) =>
  createHash("sha256").update(account.trim().normalize("NFC").toLowerCase()).digest("base64url").slice(0, 22);

/**
 * Builds the limits on `@fastify/rate-limit` (which must be registered on `app`; with Redis its
 * counters are shared by every instance).
 *
 * Lock-out policy: failed logins are counted per (account, IP), never per account alone, so an
 * attacker elsewhere cannot lock the real user out; spraying one account from many addresses is
 * bounded by the per-IP limit and the cost of argon2id.
 *
 * @example
 * const limits = createRateLimits(app, { ip: config.rateLimitIp, login: config.rateLimitLogin });
 */
export function createRateLimits(
  app: FastifyInstance,
  rules: { ip: RateLimitRule | null; login: RateLimitRule | null },
): RateLimits {
  const keys = new WeakMap<FastifyRequest, string>();
  const make = (rule: RateLimitRule, prefix: string): Limiter =>
    app.createRateLimit({
      max: rule.max,
      timeWindow: rule.windowMs,
      keyGenerator: (request) => `${prefix}:${keys.get(request) ?? clientKey(request)}`,
    });

  const counting = (rule: RateLimitRule | null, prefix: string) => {
    if (!rule) return null;
    const limiter = make(rule, prefix);
    return async (request: FastifyRequest) => {
      const result = await limiter(request);
      if (!result.isAllowed && result.isExceeded) throw tooMany(result.ttlInSeconds);
    };
  };

  let failures: FailureBudget | null = null;
  if (rules.login) {
    const limiter = make(rules.login, "fail");
    const withKey = async <T>(request: FastifyRequest, account: string, run: () => Promise<T>) => {
      keys.set(request, `${accountKey(account)}:${clientKey(request)}`);
      try {
        return await run();
      } finally {
        keys.delete(request);
      }
    };
    failures = {
      check: (request, account) =>
        withKey(request, account, async () => {
          const state = await limiter(request, { increment: false });
          if (!state.isAllowed && state.remaining <= 0) throw tooMany(state.ttlInSeconds);
        }),
      spend: (request, account) => withKey(request, account, async () => void (await limiter(request))),
    };
  }

  return { perIp: counting(rules.ip, "ip"), register: counting(rules.login, "register"), failures };
}

function tooMany(ttlInSeconds: number): HttpError {
  return new HttpError("rate_limited", { "retry-after": String(Math.max(1, ttlInSeconds)) });
}
