import type { ClientContext, TokenSet } from "../api.js";
import { auditEvent } from "../audit/log.js";
import { deriveKey, open, seal } from "../crypto/seal.js";
import { csrfMatches } from "../csrf.js";
import { TesseraError } from "../errors.js";
import { checkRefreshScope } from "../permissions/claims.js";
import { parseScope } from "../permissions/scope.js";
import type { Runtime } from "../runtime.js";
import type { RefreshTokenRecord } from "../store.js";
import {
  formatRefreshToken,
  generateRefreshToken,
  hashRefreshSecret,
  parseRefreshToken,
  type RefreshTokenParts,
} from "../tokens/refresh.js";
import { contextChanges } from "./context.js";
import { assertTokenCurrent } from "./csrf.js";
import { dpopKeyFits, dpopKeyToBind } from "./dpop-binding.js";
import { issueTokenSet } from "./issue.js";
import { assertFamilyLive, isFamilyLive } from "./liveness.js";
import { type FoundRefreshToken, findRefreshToken } from "./lookup.js";

/**
 * Refresh-token rotation, rules 1–4 of the root README ("How the tokens work").
 *
 * 1. A token is single-use: `store.rotateRefreshToken` marks it used and inserts its successor
 *    in one compare-and-set, so of any number of concurrent refreshes exactly one "wins".
 * 2. A used token presented again outside the grace window is reuse: the family is revoked (its
 *    successor dies too), `refresh.reuse_detected` is audited, `refresh_reused` thrown. It is
 *    classified `late_race` only when the successor is unused, the reuse is at most
 *    `LATE_RACE_MS` past the window, and the token was redeemed from the presenter's context;
 *    otherwise `theft`.
 * 3. Within `refreshGraceMs` of the token's first use, while its successor is unused and the
 *    family live, the caller gets THE SAME successor back (opened from the copy sealed under a
 *    key derived from the presented token's secret) and a fresh access token. The window counts
 *    from the first use and never slides; only the immediately previous token qualifies.
 * 4. A family dies at its absolute lifetime (`session_expired`); each token after
 *    `refreshTtlMs` idle (`refresh_expired`).
 *
 * Malformed, unknown or mismatched tokens — and a DPoP key other than the family's — are
 * `refresh_invalid` before any state changes: never a reuse trigger. A refresh of an unbound
 * family with a proof binds it (`dpop-binding.ts`).
 */

export interface RefreshInput {
  refreshToken: string;
  context: ClientContext;
  dpopJkt?: string;
  /** Checked against the session before anything is consumed (see `checkCsrfBeforeUse`). */
  csrfToken?: string;
  /** Narrow this access token's scope (RFC 6749 §6); outside the session's is `invalid_scope`. */
  scope?: string;
}

/** How far past the grace window a reuse of a never-used successor still looks like a benign race. */
const LATE_RACE_MS = 30_000;

const GRACE_INFO = "tessera/grace/v1";

/** The key that seals a token's successor: only someone holding that token's secret can open it. */
function graceKey(parts: RefreshTokenParts): Buffer {
  return deriveKey(parts.secret, parts.id, GRACE_INFO);
}

function invalid(): TesseraError {
  return new TesseraError("refresh_invalid", "refresh token invalid");
}

/**
 * Rotate a refresh token (see the rules above).
 *
 * @example
 * const set = await rotateRefreshToken(rt, { refreshToken, context: { ip, userAgent } });
 */
export async function rotateRefreshToken(rt: Runtime, input: RefreshInput): Promise<TokenSet> {
  const narrowTo = requestedScope(input.scope);
  const found = await findRefreshToken(rt, input.refreshToken);
  if (found === null) throw invalid();
  const { parts, token, session } = found;
  const now = rt.clock.now();
  if (input.csrfToken !== undefined) checkCsrfBeforeUse(rt, found, input.csrfToken, now);
  if (!dpopKeyFits(session, token, input.dpopJkt)) throw invalid();
  assertFamilyLive(session, now);
  if (narrowTo !== undefined) {
    // Before anything is written: a refresh asking for more than its session consumes nothing.
    const holder = session.scope === null ? await rt.store.getUserById(session.userId) : null;
    checkRefreshScope(rt.policy, holder ?? { roles: [] }, session, narrowTo);
  }

  const changed =
    rt.options.refreshContext === "off"
      ? []
      : contextChanges({ ip: session.ip, userAgent: session.userAgent }, input.context);
  if (changed.length > 0 && rt.options.refreshContext === "strict") {
    const revoked = await rt.store.revokeSession(session.id, now, "context_mismatch");
    const who = { userId: session.userId, sessionId: session.id, context: input.context };
    await rt.audit({
      type: "refresh.context_mismatch",
      outcome: "failure",
      ...who,
      data: { changed: changed.join(",") },
    });
    if (revoked) await rt.audit({ type: "session.revoked", ...who, data: { reason: "context_mismatch" } });
    throw new TesseraError("context_mismatch", "refresh from a changed client context");
  }

  if (token.usedAt !== null) return answerUsedToken(rt, found, input, now, changed);
  if (now >= token.expiresAt) throw new TesseraError("refresh_expired", "refresh token expired");

  const next = generateRefreshToken(now);
  const nextToken = formatRefreshToken(next);
  const successor: RefreshTokenRecord = {
    id: next.id,
    sessionId: session.id,
    secretHash: hashRefreshSecret(next.secret),
    createdAt: now,
    expiresAt: Math.min(now + rt.options.refreshTtlMs, session.expiresAt),
    usedAt: null,
    successorId: null,
    successorSealed: null,
  };
  const who = { userId: session.userId, sessionId: session.id, context: input.context };
  const bindDpopJkt = dpopKeyToBind(session, input.dpopJkt);
  // The user the access token describes (roles, epoch, e-mail) comes back from the rotation, read
  // in its own transaction while the family was still live: roles and epoch from one snapshot.
  const outcome = await rt.store.rotateRefreshToken({
    tokenId: token.id,
    now,
    successor,
    successorSealed: seal(graceKey(parts), Buffer.from(nextToken), token.id),
    ip: input.context.ip,
    userAgent: input.context.userAgent,
    // Committed with the rotation itself: one write per refresh, and no rotation without its record.
    audit: auditEvent({ type: "refresh.rotated", ...who }, now),
    ...(bindDpopJkt === undefined ? {} : { bindDpopJkt }),
  });

  if (outcome.outcome === "not_found") throw invalid();
  // A revocation (logout, logout-all, credential change) committed first: nothing was minted.
  if (outcome.outcome === "revoked") throw new TesseraError("session_revoked", "session revoked");
  if (outcome.outcome === "already_used") {
    // Lost the race: re-read the token (for its sealed successor) and the family's fresh state.
    const again = await rt.store.getRefreshToken(token.id);
    if (again === null) throw invalid();
    assertFamilyLive(again.session, now);
    return answerUsedToken(rt, { parts, token: again.token, session: again.session }, input, now, changed);
  }

  const issueFrom =
    bindDpopJkt === undefined ? session : { ...session, dpopJkt: bindDpopJkt, dpopBoundAt: now };
  if (bindDpopJkt !== undefined) await rt.audit({ type: "session.dpop_bound", ...who });
  const set = await issueTokenSet(rt, {
    user: outcome.user,
    session: issueFrom,
    refreshToken: nextToken,
    now,
    narrowTo,
  });
  if (changed.length > 0)
    await rt.audit({ type: "refresh.context_changed", ...who, data: { changed: changed.join(",") } });
  return set;
}

/** A refresh's own `scope` as tokens; a malformed one is `invalid_scope` (RFC 6749 §5.2). */
function requestedScope(scope: unknown): string[] | undefined {
  try {
    return parseScope(scope);
  } catch {
    throw new TesseraError("invalid_scope", "scope is malformed");
  }
}

/**
 * The CSRF gate of a cookie refresh, on the lookup the rotation already made: nothing has been
 * written yet, so a forged request consumes nothing. A mismatch on a dead session answers the
 * session's own failure (so the client logs out), on a live one `csrf_invalid`.
 */
function checkCsrfBeforeUse(rt: Runtime, found: FoundRefreshToken, csrfToken: string, now: number): void {
  if (typeof csrfToken === "string" && csrfMatches(rt.csrfKey, found.session.id, csrfToken)) return;
  assertTokenCurrent(rt, found, now);
  throw new TesseraError("csrf_invalid", "csrf token invalid");
}

/** Rules 2 and 3: a token that has already been used. */
async function answerUsedToken(
  rt: Runtime,
  found: FoundRefreshToken,
  input: RefreshInput,
  now: number,
  changed: string[],
): Promise<TokenSet> {
  const { parts, token, session } = found;
  const usedAt = token.usedAt ?? now;
  // The user (its token epoch) is read BEFORE the family's state: a revocation committed between
  // the two reads is seen as a dead family (no re-issue), and one committed after both leaves the
  // re-issued token with the epoch from before it, so it is refused once the revocation commits.
  const user = await rt.store.getUserById(session.userId);
  const next = token.successorId === null ? null : await rt.store.getRefreshToken(token.successorId);
  // A family that died meanwhile answers as dead: no re-issue, and no second reuse detection.
  if (next !== null) assertFamilyLive(next.session, now);
  const successor = next?.token ?? null;
  const who = { userId: session.userId, sessionId: session.id, context: input.context };

  // Grace 0 is no window at all: a racer whose clock was read a moment before the winner stamped
  // `used_at` (another instance) would otherwise pass `now < usedAt + 0`.
  const graceApplies =
    rt.options.refreshGraceMs > 0 &&
    now < usedAt + rt.options.refreshGraceMs &&
    successor !== null &&
    successor.usedAt === null &&
    now < successor.expiresAt &&
    next !== null &&
    isFamilyLive(next.session, now) &&
    // The successor of a family bound since goes only to a holder of its key.
    (next.session.dpopJkt === null || next.session.dpopJkt === input.dpopJkt) &&
    token.successorSealed !== null;
  if (graceApplies) {
    const opened = open(graceKey(parts), token.successorSealed as string, token.id)?.toString("utf8");
    if (opened !== undefined && parseRefreshToken(opened)?.id === successor.id && user !== null) {
      const set = await issueTokenSet(rt, {
        user,
        session: next.session,
        refreshToken: opened,
        now,
        narrowTo: requestedScope(input.scope),
      });
      await rt.audit({
        type: "refresh.grace_reissued",
        ...who,
        data: { sinceFirstUseMs: Math.max(0, now - usedAt) },
      });
      if (changed.length > 0) {
        await rt.audit({ type: "refresh.context_changed", ...who, data: { changed: changed.join(",") } });
      }
      return set;
    }
  }

  // A benign late race is the redeemer's own client presenting the token again: its successor is
  // still unused, and the family's last use — the rotation that redeemed this token, since the
  // successor has not been used — came from the presenter's context. Redeemed from another
  // context, someone else holds the successor (a thief who redeemed first, or who got the
  // successor through the grace window and used it): theft.
  const redeemer = next?.session ?? session;
  const sameRedeemer =
    contextChanges({ ip: redeemer.lastIp, userAgent: redeemer.lastUserAgent }, input.context).length === 0;
  const lateRace =
    successor !== null &&
    successor.usedAt === null &&
    sameRedeemer &&
    now - usedAt <= rt.options.refreshGraceMs + LATE_RACE_MS;
  const revoked = await rt.store.revokeSession(session.id, now, "reuse_detected");
  await rt.audit({
    type: "refresh.reuse_detected",
    outcome: "failure",
    ...who,
    data: {
      classification: lateRace ? "late_race" : "theft",
      sinceFirstUseMs: Math.max(0, now - usedAt),
      redeemedFrom: sameRedeemer ? "same_context" : "other_context",
    },
  });
  if (revoked) await rt.audit({ type: "session.revoked", ...who, data: { reason: "reuse_detected" } });
  throw new TesseraError("refresh_reused", "refresh token already used");
}
