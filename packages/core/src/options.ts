import type { SigningAlg, Tessera, TesseraOptions } from "./api.js";
import { checkPolicy } from "./permissions/policy.js";

/** The options with every default filled in, as exposed on `tessera.options`. */
export type ResolvedOptions = Tessera["options"];

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * Defaults: what an operator gets without configuring anything.
 *
 * @example
 * DEFAULTS.refreshGraceMs; // 10_000
 */
export const DEFAULTS = {
  clientId: "tessera",
  signingAlg: "EdDSA",
  accessTokenTtlMs: 15 * MINUTE,
  refreshTtlMs: 7 * DAY,
  sessionMaxAgeMs: 30 * DAY,
  refreshGraceMs: 10_000,
  registration: "open",
  refreshContext: "audit",
  auditRetentionMs: 90 * DAY,
  passwordReset: true,
  passwordResetTtlMs: 30 * MINUTE,
  emailVerification: "optional",
} as const satisfies Partial<ResolvedOptions>;

const ALGS: readonly SigningAlg[] = ["EdDSA", "ES256", "RS256", "HS256"];

function fail(message: string): never {
  throw new TypeError(`Tessera: ${message}`);
}

function duration(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    fail(`${name} must be an integer number of milliseconds ≥ ${min}`);
  }
  return value;
}

/**
 * `keyReloadIntervalMs` checked: whole milliseconds, at least 1 s (the ring's unknown-kid
 * cool-down already re-reads at most every 5 s; a shorter period would only load the store).
 *
 * @example
 * KeyRing.open({ ...ring, reloadIntervalMs: keyReloadInterval(input.keyReloadIntervalMs) });
 */
export function keyReloadInterval(value: number): number {
  return duration("keyReloadIntervalMs", value, 60_000, 1000);
}

function oneOf<T extends string>(name: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) fail(`${name} must be one of ${allowed.join(", ")}`);
  return value;
}

/**
 * Check options once, when the service is created, and fill in defaults. Misconfiguration throws
 * a `TypeError` naming the option (never echoing a secret).
 *
 * @example
 * const options = resolveOptions({ store, masterKey, issuer: "https://auth.example", audience: "api" });
 */
export function resolveOptions(input: TesseraOptions): ResolvedOptions {
  if (typeof input !== "object" || input === null) fail("options are required");
  const { store, masterKey, issuer, audience, passwordHasher, clock } = input;
  if (typeof store !== "object" || store === null || typeof store.rotateRefreshToken !== "function") {
    fail("store must implement the Store interface");
  }
  if (!(masterKey instanceof Uint8Array) || masterKey.length !== 32)
    fail("masterKey must be exactly 32 bytes");
  if (typeof issuer !== "string" || issuer.length === 0) fail("issuer must be a non-empty string");
  const audiences = typeof audience === "string" ? [audience] : audience;
  if (
    !Array.isArray(audiences) ||
    audiences.length === 0 ||
    !audiences.every((a) => typeof a === "string" && a)
  ) {
    fail("audience must be a non-empty string or a non-empty array of them");
  }
  if (input.clientId !== undefined && (typeof input.clientId !== "string" || input.clientId.length === 0)) {
    fail("clientId must be a non-empty string");
  }
  if (
    passwordHasher !== undefined &&
    (typeof passwordHasher.hash !== "function" || typeof passwordHasher.verify !== "function")
  ) {
    fail("passwordHasher must have hash() and verify()");
  }
  if (clock !== undefined && typeof clock.now !== "function") fail("clock must have now()");
  if (input.mailer !== undefined && typeof input.mailer?.send !== "function") fail("mailer must have send()");
  if (input.appUrl !== undefined && !/^https?:\/\/[^?#]+$/.test(String(input.appUrl))) {
    fail("appUrl must be an absolute http(s) URL without query or fragment");
  }
  if (input.passwordReset !== undefined && typeof input.passwordReset !== "boolean") {
    fail("passwordReset must be a boolean");
  }
  if (input.claims !== undefined && typeof input.claims !== "function") fail("claims must be a function");
  let roles: ResolvedOptions["roles"] = Object.freeze({});
  if (input.roles !== undefined) {
    try {
      roles = checkPolicy(input.roles);
    } catch (error) {
      fail((error as Error).message);
    }
  }

  const sessionMaxAgeMs = duration("sessionMaxAgeMs", input.sessionMaxAgeMs, DEFAULTS.sessionMaxAgeMs, 1000);
  const refreshTtlMs = duration("refreshTtlMs", input.refreshTtlMs, DEFAULTS.refreshTtlMs, 1000);
  const accessTokenTtlMs = duration(
    "accessTokenTtlMs",
    input.accessTokenTtlMs,
    DEFAULTS.accessTokenTtlMs,
    1000,
  );
  const refreshGraceMs = duration("refreshGraceMs", input.refreshGraceMs, DEFAULTS.refreshGraceMs, 0);
  if (refreshGraceMs >= refreshTtlMs) fail("refreshGraceMs must be shorter than refreshTtlMs");

  return Object.freeze({
    issuer,
    audience: typeof audience === "string" ? audience : Object.freeze([...audiences]),
    clientId: input.clientId ?? DEFAULTS.clientId,
    signingAlg: oneOf("signingAlg", input.signingAlg, ALGS, DEFAULTS.signingAlg),
    accessTokenTtlMs,
    refreshTtlMs,
    sessionMaxAgeMs,
    refreshGraceMs,
    registration: oneOf("registration", input.registration, ["open", "closed"], DEFAULTS.registration),
    refreshContext: oneOf(
      "refreshContext",
      input.refreshContext,
      ["audit", "strict", "off"],
      DEFAULTS.refreshContext,
    ),
    auditRetentionMs: duration("auditRetentionMs", input.auditRetentionMs, DEFAULTS.auditRetentionMs, 1000),
    roles,
    appUrl: input.appUrl ?? issuer,
    passwordReset: input.passwordReset ?? DEFAULTS.passwordReset,
    passwordResetTtlMs: duration(
      "passwordResetTtlMs",
      input.passwordResetTtlMs,
      DEFAULTS.passwordResetTtlMs,
      1000,
    ),
    emailVerification: oneOf(
      "emailVerification",
      input.emailVerification,
      ["off", "optional", "required"],
      DEFAULTS.emailVerification,
    ),
  }) as ResolvedOptions;
}
