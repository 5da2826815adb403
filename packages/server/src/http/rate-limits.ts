import { createHash } from "node:crypto";
import { normalizeIP } from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RateLimitRule } from "../config/duration.js";
import { HttpError } from "./http-error.js";
import { memoryWindowCounter, type Reservation, type WindowCounter } from "./window-counter.js";

/** Counts failures of one kind (per account and client IP, or per IP) and refuses once the budget is spent. */
export interface FailureBudget {
  /**
   * Counts this attempt against the account+IP budget, or throws 429 `rate_limited` (with
   * `Retry-After`) when no failures are left. Unless `spend` follows, the attempt is given back
   * when the request ends.
   */
  check(request: FastifyRequest, account: string): Promise<void>;
  /** The attempt failed: keep it counted (or count it, without a `check` before). */
  spend(request: FastifyRequest, account: string): Promise<void>;
}

/** The server's rate limits; a `null` member is switched off (`off`). */
export interface RateLimits {
  /**
   * Every request per client IP (`TESSERA_RATE_LIMIT_IP`), in two budgets: `/auth/*`+`/oauth/*`
   * (`auth` true) and every other path.
   */
  perIp: ((request: FastifyRequest, auth: boolean) => Promise<void>) | null;
  /** Registrations per client IP (the `TESSERA_RATE_LIMIT_LOGIN` budget). */
  register: ((request: FastifyRequest) => Promise<void>) | null;
  /** Failed logins, password changes and account deletions per account and IP. */
  failures: FailureBudget | null;
  /** Failed resource-server credentials per client IP (`TESSERA_RATE_LIMIT_CREDENTIALS`). */
  credentials: FailureBudget | null;
  /**
   * A mail-sending request (forgot password, verification resend, a registration's verification
   * mail) to `address`: counted per client IP (`TESSERA_RATE_LIMIT_MAIL_IP`) and per address
   * (`TESSERA_RATE_LIMIT_MAIL`) on the same counter as the login limit, whether or not the
   * address has an account.
   */
  mail: (request: FastifyRequest, address: string) => Promise<void>;
  /** Clears every counter of an e-mail or IP ({@link counterPatterns}); how many were live. */
  reset(emailOrIp: string): Promise<number>;
}

// IPv6 clients usually own a whole /64: count them as one.
const clientKey = (request: FastifyRequest) => counterIp(request.ip);
const counterIp = (ip: string) => normalizeIP(ip, 64);
const accountKey = (account: string) =>
  createHash("sha256").update(account.trim().normalize("NFC").toLowerCase()).digest("base64url").slice(0, 22);
/** The failed-login counter of an account at a client IP: the server's, and the session adapters'. */
export const failedLoginKey = (account: string, ip: string) => `fail:${accountKey(account)}:${counterIp(ip)}`;

/**
 * The counter keys (`*` = any text) that `limits reset` clears: for an e-mail (it holds `@`) its
 * failed-login counters from every address and its mail counter; for an IP its request,
 * registration, failed-login, failed-credential and mail counters.
 *
 * @example
 * counterPatterns("ada@example.com"); // ["fail:<hash>:*", "mail:<hash>"]
 */
export function counterPatterns(emailOrIp: string): string[] {
  if (emailOrIp.includes("@")) {
    const account = accountKey(emailOrIp);
    return [`fail:${account}:*`, `mail:${account}`];
  }
  const ip = counterIp(emailOrIp);
  return ["ip", "ip-other", "register", "cred", "mail-ip"]
    .map((kind) => `${kind}:${ip}`)
    .concat(`fail:*:${ip}`);
}

/**
 * Builds the limits on one `WindowCounter` (default: this process's memory; `redisWindowCounter`
 * to share the counts between instances, falling back to per-instance counting while Redis is
 * away). Each attempt is counted atomically before the work it guards, and a failure budget gives
 * back the attempts that did not fail, so concurrent attempts spread over many instances never
 * get more than one budget.
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
  rules: {
    ip: RateLimitRule | null;
    login: RateLimitRule | null;
    credentials?: RateLimitRule | null;
    mail?: RateLimitRule | null;
    mailIp?: RateLimitRule | null;
  },
  counter: WindowCounter = memoryWindowCounter(),
): RateLimits {
  const counting = (rule: RateLimitRule | null, prefix: string) => {
    if (!rule) return null;
    return async (request: FastifyRequest) => {
      const reservation = await counter.reserve(`${prefix}:${clientKey(request)}`, rule);
      if (!reservation.allowed) throw tooMany(reservation.retryAfterMs);
    };
  };

  const auth = counting(rules.ip, "ip");
  const other = counting(rules.ip, "ip-other");
  const budget = (rule: RateLimitRule | null | undefined, keyOf: FailureKey) =>
    rule ? failureBudget(app, { ...rule, failClosed: true }, counter, keyOf) : null;
  const mailIp = counting(rules.mailIp ?? null, "mail-ip");
  const reserve = async (key: string, rule: RateLimitRule | null | undefined) => {
    if (!rule) return;
    const reservation = await counter.reserve(key, rule);
    if (!reservation.allowed) throw tooMany(reservation.retryAfterMs);
  };

  return {
    perIp: auth && other ? (request, isAuth) => (isAuth ? auth : other)(request) : null,
    register: counting(rules.login, "register"),
    failures: budget(rules.login, (request, account) => failedLoginKey(account, request.ip)),
    // Per IP only: the credential id is the attacker's choice.
    credentials: budget(rules.credentials, (request) => `cred:${clientKey(request)}`),
    async mail(request, address) {
      await mailIp?.(request);
      await reserve(`mail:${accountKey(address)}`, rules.mail);
    },
    reset: (emailOrIp) => counter.clear(counterPatterns(emailOrIp)),
  };
}

type FailureKey = (request: FastifyRequest, account: string) => string;

function failureBudget(
  app: FastifyInstance,
  rule: RateLimitRule,
  counter: WindowCounter,
  keyOf: FailureKey,
): FailureBudget {
  /** Attempts counted by `check` whose outcome is not known yet. */
  const pending = new WeakMap<FastifyRequest, Reservation>();

  // Whatever ends the request without a spend (success, another error, a client that went away)
  // gives its attempt back.
  const settle = async (request: FastifyRequest) => {
    const reservation = pending.get(request);
    if (!reservation) return;
    pending.delete(request);
    await reservation.release();
  };
  app.addHook("onResponse", settle);
  app.addHook("onRequestAbort", settle);

  return {
    async check(request, account) {
      const reservation = await counter.reserve(keyOf(request, account), rule);
      if (!reservation.allowed) throw tooMany(reservation.retryAfterMs);
      pending.set(request, reservation);
    },
    async spend(request, account) {
      if (pending.delete(request)) return; // counted by check
      await counter.add(keyOf(request, account), rule);
    },
  };
}

function tooMany(retryAfterMs: number): HttpError {
  return new HttpError("rate_limited", {
    "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
  });
}
