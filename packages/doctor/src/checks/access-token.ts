import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from "jose";
import { stringField } from "../lib/http.js";
import { decodeJwt } from "../lib/jwt.js";
import type { Finding, RunContext } from "../lib/run-context.js";
import type { Session } from "../lib/session.js";

const HOUR = 3600;
const DAY = 24 * HOUR;
const TTL_HINT =
  "set TESSERA_ACCESS_TOKEN_TTL to 15m (production allows 1m–1h); revoked sessions keep working until expiry";

/** Judges an access token's lifetime in seconds. */
export function judgeLifetime(seconds: number): Finding {
  const text = seconds >= HOUR ? `${(seconds / HOUR).toFixed(1)} h` : `${Math.round(seconds / 60)} min`;
  if (seconds > DAY)
    return { status: "fail", detail: `access tokens live ${text} (over 24 h)`, hint: TTL_HINT };
  if (seconds > HOUR)
    return { status: "warn", detail: `access tokens live ${text} (over 1 h)`, hint: TTL_HINT };
  return { status: "pass", detail: `access tokens live ${text}` };
}

function isAudience(aud: unknown): boolean {
  if (typeof aud === "string") return aud !== "";
  return Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === "string" && a !== "");
}

/** Lifetime, RFC 9068 header and claims, and the signature against the published JWKS. */
export async function checkAccessToken(ctx: RunContext, session: Session): Promise<void> {
  ctx.step("access token");
  const decoded = decodeJwt(session.accessToken);
  if (decoded === undefined) {
    const finding: Finding = {
      status: "fail",
      detail: "the access token is not a compact JWS",
      hint: "issue RFC 9068 JWT access tokens",
    };
    ctx.record("token.lifetime", finding);
    ctx.record("token.claims", finding);
    ctx.record("token.signature", finding);
    return;
  }
  const { header, payload } = decoded;

  const exp = typeof payload.exp === "number" ? payload.exp : undefined;
  const iat = typeof payload.iat === "number" ? payload.iat : undefined;
  if (exp === undefined) {
    ctx.record("token.lifetime", {
      status: "fail",
      detail: "the access token has no exp: it never expires",
      hint: TTL_HINT,
    });
  } else {
    const dateHeader = Date.parse(session.loginReply.headers.get("date") ?? "");
    const issuedAt = iat ?? Math.floor((Number.isNaN(dateHeader) ? Date.now() : dateHeader) / 1000);
    const verdict = judgeLifetime(exp - issuedAt);
    const expiresIn = (session.loginReply.json as { expires_in?: unknown }).expires_in;
    if (
      verdict.status === "pass" &&
      typeof expiresIn === "number" &&
      Math.abs(expiresIn - (exp - issuedAt)) > 60
    ) {
      ctx.record("token.lifetime", {
        status: "warn",
        detail: `expires_in ${expiresIn}s disagrees with exp − iat = ${exp - issuedAt}s`,
        hint: "report the token's real lifetime in expires_in",
      });
    } else {
      ctx.record("token.lifetime", verdict);
    }
  }

  const claims: Finding[] = [];
  const typ = typeof header.typ === "string" ? header.typ.toLowerCase() : undefined;
  if (typ !== "at+jwt" && typ !== "application/at+jwt") {
    claims.push({
      status: "fail",
      detail: `typ is ${typ ?? "missing"}, not at+jwt`,
      hint: 'set typ "at+jwt" (RFC 9068) so other JWTs cannot pass as access tokens',
    });
  }
  const expectedIssuer = ctx.issuer ?? ctx.http.base.href.replace(/\/+$/, "");
  if (payload.iss !== expectedIssuer) {
    claims.push({
      status: "fail",
      detail: `iss is ${typeof payload.iss === "string" ? payload.iss : "missing"}, metadata says ${expectedIssuer}`,
      hint: "set TESSERA_ISSUER once; tokens and metadata must name the same issuer",
    });
  }
  if (!isAudience(payload.aud)) {
    claims.push({
      status: "fail",
      detail: "aud is missing",
      hint: "set TESSERA_AUDIENCE so resource servers can check tokens are for them",
    });
  }
  if (typeof payload.sub !== "string" || payload.sub === "") {
    claims.push({
      status: "fail",
      detail: "sub is missing",
      hint: "issue RFC 9068 claims (sub, client_id, jti, iat)",
    });
  }
  const missing = ["jti", "iat", "client_id"].filter((c) => payload[c] === undefined);
  if (missing.length > 0) {
    claims.push({
      status: "warn",
      detail: `RFC 9068 claims missing: ${missing.join(", ")}`,
      hint: "issue RFC 9068 claims (sub, client_id, jti, iat)",
    });
  }
  const tokenType = stringField(session.loginReply, "token_type");
  if (tokenType?.toLowerCase() !== "bearer") {
    claims.push({
      status: "warn",
      detail: `token_type is ${tokenType ?? "missing"}`,
      hint: 'answer token_type "Bearer" (RFC 6750)',
    });
  }
  const aud = Array.isArray(payload.aud) ? payload.aud.join(",") : String(payload.aud);
  ctx.conclude("token.claims", claims, `typ at+jwt, iss ${expectedIssuer}, aud ${aud}`);

  const alg = typeof header.alg === "string" ? header.alg : "none";
  if (alg.startsWith("HS")) {
    ctx.record("token.signature", {
      status: "skip",
      detail: `${alg} tokens cannot be verified from outside`,
      hint: "sign with an asymmetric algorithm (TESSERA_SIGNING_ALG=EdDSA)",
    });
    return;
  }
  if (ctx.jwks === undefined) {
    ctx.record("token.signature", {
      status: "skip",
      detail: "no JWKS to verify with",
      hint: "serve /.well-known/jwks.json",
    });
    return;
  }
  try {
    const keys = createLocalJWKSet({ keys: ctx.jwks } as unknown as JSONWebKeySet);
    await compactVerify(session.accessToken, keys);
    ctx.record("token.signature", {
      status: "pass",
      detail: `${alg}, kid ${String(header.kid)} found in the JWKS`,
    });
  } catch (error) {
    const code = (error as { code?: string }).code ?? "ERR_JOSE";
    ctx.record("token.signature", {
      status: "fail",
      detail: `the access token does not verify against the JWKS (${code})`,
      hint: "publish the current signing key (with its kid) in the JWKS before using it",
    });
  }
}
