import { randomUUID } from "node:crypto";
import type { ClientContext, TokenSet } from "../api.js";
import { TesseraError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import type { RefreshTokenRecord, SessionRecord } from "../store.js";
import { formatRefreshToken, generateRefreshToken, hashRefreshSecret } from "../tokens/refresh.js";
import { checkCredentials } from "../users/credentials.js";
import { issueTokenSet } from "./issue.js";

// RFC 6749 §3.3: space-separated scope tokens of printable ASCII without `"` and `\`.
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/;
// RFC 7638 SHA-256 thumbprint, base64url.
const JKT = /^[A-Za-z0-9_-]{43}$/;

/**
 * Sign in with e-mail and password: start a new session (refresh-token family) with its first
 * refresh token, and issue an access token. The session records the login's client context and,
 * when given, the DPoP key thumbprint it is bound to.
 *
 * @example
 * const set = await login(rt, { email, password, context: { ip, userAgent } });
 */
export async function login(
  rt: Runtime,
  input: { email: string; password: string; context: ClientContext; scope?: string; dpopJkt?: string },
): Promise<TokenSet> {
  if (input.scope !== undefined && (typeof input.scope !== "string" || !SCOPE.test(input.scope))) {
    throw new TesseraError("invalid_input", "scope is malformed");
  }
  if (input.dpopJkt !== undefined && (typeof input.dpopJkt !== "string" || !JKT.test(input.dpopJkt))) {
    throw new TesseraError("invalid_input", "dpopJkt is not a JWK thumbprint");
  }
  const user = await checkCredentials(rt, input.email, input.password, input.context);
  const refuse = async (reason: string, error: TesseraError): Promise<never> => {
    await rt.audit({
      type: "login.failed",
      outcome: "failure",
      userId: user.id,
      context: input.context,
      data: { reason },
    });
    throw error;
  };
  if (rt.options.emailVerification === "required" && !user.emailVerified) {
    // Only after a correct password: a wrong one stays `invalid_credentials`.
    await refuse(
      "email_unverified",
      new TesseraError("email_unverified", "the e-mail address is not verified"),
    );
  }
  const now = rt.clock.now();
  const { ip, userAgent } = input.context;
  const session: SessionRecord = {
    id: randomUUID(),
    userId: user.id,
    clientId: rt.options.clientId,
    scope: input.scope ?? null,
    createdAt: now,
    expiresAt: now + rt.options.sessionMaxAgeMs,
    lastUsedAt: now,
    revokedAt: null,
    revokedReason: null,
    ip,
    userAgent,
    lastIp: ip,
    lastUserAgent: userAgent,
    dpopJkt: input.dpopJkt ?? null,
  };
  const parts = generateRefreshToken(now);
  const first: RefreshTokenRecord = {
    id: parts.id,
    sessionId: session.id,
    secretHash: hashRefreshSecret(parts.secret),
    createdAt: now,
    expiresAt: Math.min(now + rt.options.refreshTtlMs, session.expiresAt),
    usedAt: null,
    successorId: null,
    successorSealed: null,
  };
  // The fence: a credential change or deletion that committed since the password was checked
  // makes this insert nothing, and the login fails as if the password had been wrong.
  if (!(await rt.store.createSession(session, first, user.credentialVersion))) {
    await refuse(
      "credentials_changed",
      new TesseraError("invalid_credentials", "invalid e-mail or password"),
    );
  }
  const set = await issueTokenSet(rt, { user, session, refreshToken: formatRefreshToken(parts), now });
  const who = { userId: user.id, sessionId: session.id, context: input.context };
  await rt.audit({ type: "login.succeeded", ...who });
  await rt.audit({ type: "token.issued", ...who, data: { grant: "password" } });
  return set;
}
