import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckId } from "./checks/catalog.js";
import { runDoctor } from "./run.js";
import { FAKE_ALLOWED_ORIGIN, startFakeTessera, type Weaknesses } from "./testing/fake-tessera.js";
import type { CheckResult, DoctorReport } from "./types.js";

interface Case {
  name: string;
  weak: Weaknesses;
  id: CheckId;
  status: "fail" | "warn";
  /** A word the fix hint must name (the setting or attribute to change). */
  hintNames: string;
}

const CASES: Case[] = [
  {
    name: "cookie without HttpOnly",
    weak: { cookieHttpOnly: false },
    id: "cookie.httponly",
    status: "fail",
    hintNames: "HttpOnly",
  },
  {
    name: "cookie without Secure",
    weak: { cookieSecure: false },
    id: "cookie.secure",
    status: "fail",
    hintNames: "Secure",
  },
  {
    name: "cookie without SameSite",
    weak: { cookieSameSite: null },
    id: "cookie.samesite",
    status: "fail",
    hintNames: "SameSite=Strict",
  },
  {
    name: "cookie SameSite=None",
    weak: { cookieSameSite: "None" },
    id: "cookie.samesite",
    status: "fail",
    hintNames: "SameSite=Strict",
  },
  {
    name: "cookie SameSite=Lax",
    weak: { cookieSameSite: "Lax" },
    id: "cookie.samesite",
    status: "warn",
    hintNames: "SameSite=Strict",
  },
  {
    name: "cookie without prefix",
    weak: { cookieName: "refresh_token" },
    id: "cookie.prefix",
    status: "warn",
    hintNames: "__Secure-",
  },
  {
    name: "cookie on Path=/",
    weak: { cookiePath: "/" },
    id: "cookie.path",
    status: "warn",
    hintNames: "Path=/auth",
  },
  {
    name: "cookie for ten years",
    weak: { cookieMaxAge: 315_360_000 },
    id: "cookie.lifetime",
    status: "fail",
    hintNames: "Max-Age",
  },
  {
    name: "cookie for 90 days",
    weak: { cookieMaxAge: 7_776_000 },
    id: "cookie.lifetime",
    status: "warn",
    hintNames: "Max-Age",
  },
  {
    name: "no CSRF check",
    weak: { noCsrfCheck: true },
    id: "csrf.header",
    status: "fail",
    hintNames: "X-CSRF-Token",
  },
  {
    name: "CSRF refusal consumes the token",
    weak: { csrfConsumes: true },
    id: "csrf.header",
    status: "fail",
    hintNames: "before consuming",
  },
  {
    name: "no Origin check",
    weak: { noOriginCheck: true },
    id: "csrf.origin",
    status: "fail",
    hintNames: "TESSERA_ALLOWED_ORIGINS",
  },
  {
    name: "CORS * with credentials",
    weak: { corsWildcardWithCredentials: true },
    id: "cors.credentials",
    status: "fail",
    hintNames: "TESSERA_ALLOWED_ORIGINS",
  },
  {
    name: "CORS reflects any origin",
    weak: { corsReflectAnyOrigin: true },
    id: "cors.credentials",
    status: "fail",
    hintNames: "TESSERA_ALLOWED_ORIGINS",
  },
  {
    name: "two-day access tokens",
    weak: { tokenTtlSeconds: 172_800 },
    id: "token.lifetime",
    status: "fail",
    hintNames: "TESSERA_ACCESS_TOKEN_TTL",
  },
  {
    name: "two-hour access tokens",
    weak: { tokenTtlSeconds: 7_200 },
    id: "token.lifetime",
    status: "warn",
    hintNames: "TESSERA_ACCESS_TOKEN_TTL",
  },
  {
    name: "no rate limit",
    weak: { noRateLimit: true },
    id: "rate_limit.login",
    status: "fail",
    hintNames: "TESSERA_RATE_LIMIT_LOGIN",
  },
  {
    name: "429 without Retry-After",
    weak: { rateLimitWithoutRetryAfter: true },
    id: "rate_limit.login",
    status: "warn",
    hintNames: "Retry-After",
  },
  {
    name: "stack traces on bad JSON",
    weak: { stackTraces: true },
    id: "errors.malformed",
    status: "fail",
    hintNames: "stack",
  },
  {
    name: "text error bodies",
    weak: { stackTraces: true },
    id: "errors.shape",
    status: "fail",
    hintNames: "JSON",
  },
  {
    name: "token answers cacheable",
    weak: { cacheControl: null },
    id: "response.no_store",
    status: "fail",
    hintNames: "no-store",
  },
  {
    name: "no rotation",
    weak: { noRotation: true },
    id: "refresh.rotation",
    status: "fail",
    hintNames: "single-use",
  },
  {
    name: "no reuse detection",
    weak: { noReuseDetection: true },
    id: "refresh.reuse",
    status: "fail",
    hintNames: "revoke its whole family",
  },
  {
    name: "reuse refused but family kept",
    weak: { reuseWithoutRevocation: true },
    id: "refresh.reuse",
    status: "fail",
    hintNames: "successor included",
  },
  {
    name: "query-string tokens",
    weak: { acceptQueryToken: true },
    id: "token.query_string",
    status: "fail",
    hintNames: "invalid_request",
  },
  {
    name: "alg none accepted",
    weak: { acceptAlgNone: true },
    id: "forgery.alg_none",
    status: "fail",
    hintNames: "never the header's alg",
  },
  {
    name: "HS256 with the public key accepted",
    weak: { acceptHs256WithPublicKey: true },
    id: "forgery.key_confusion",
    status: "fail",
    hintNames: "never the header's alg",
  },
  {
    name: "embedded jwk trusted",
    weak: { trustEmbeddedJwk: true },
    id: "forgery.foreign_key",
    status: "fail",
    hintNames: "key's own algorithm",
  },
  {
    name: "signature not checked",
    weak: { skipSignatureCheck: true },
    id: "forgery.tampered",
    status: "fail",
    hintNames: "key's own algorithm",
  },
  {
    name: "signature not checked (foreign key)",
    weak: { skipSignatureCheck: true },
    id: "forgery.foreign_key",
    status: "fail",
    hintNames: "401",
  },
  {
    name: "private key in the JWKS",
    weak: { publishPrivateKey: true },
    id: "jwks.public_only",
    status: "fail",
    hintNames: "rotate",
  },
  { name: "typ JWT", weak: { typ: "JWT" }, id: "token.claims", status: "fail", hintNames: "at+jwt" },
  {
    name: "no aud",
    weak: { noAudience: true },
    id: "token.claims",
    status: "fail",
    hintNames: "TESSERA_AUDIENCE",
  },
  {
    name: "issuer differs from the base URL",
    weak: { issuer: "http://127.0.0.1:1" },
    id: "metadata.issuer",
    status: "fail",
    hintNames: "TESSERA_ISSUER",
  },
  {
    name: "logout keeps the session",
    weak: { logoutKeepsSession: true },
    id: "session.logout",
    status: "fail",
    hintNames: "revoke",
  },
];

async function diagnose(weak: Weaknesses): Promise<DoctorReport> {
  const server = await startFakeTessera(weak);
  try {
    return await runDoctor({ baseUrl: server.url, origin: FAKE_ALLOWED_ORIGIN });
  } finally {
    await server.close();
  }
}

describe("runDoctor against weakened deployments", () => {
  let healthy: Map<string, CheckResult>;
  beforeAll(async () => {
    healthy = new Map((await diagnose({})).checks.map((c) => [c.id, c]));
  });
  afterAll(() => {});

  it.each(CASES)("$name → $id $status", async ({ weak, id, status, hintNames }) => {
    // The same check passes on the healthy deployment, so the failure is caused by the weakness.
    expect(healthy.get(id)?.status).toBe("pass");
    const report = await diagnose(weak);
    const check = report.checks.find((c) => c.id === id);
    expect(check?.status).toBe(status);
    expect(check?.hint).toContain(hintNames);
    expect(report.ok).toBe(status !== "fail");
  });
});
