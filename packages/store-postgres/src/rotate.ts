import type { RotateInput, RotateOutcome } from "@tessera/core";
import type { Db } from "./db.js";
import { type RefreshTokenRow, TOKEN_COLUMNS, toToken, toUser, type UserRow } from "./rows.js";

/**
 * The compare-and-set of rotation as ONE statement. `live` first locks the token's session row
 * (`FOR NO KEY UPDATE`, the lock a revocation's UPDATE takes) only while it is unrevoked and
 * unexpired: a revocation committed before this statement — even after its snapshot — is seen
 * (READ COMMITTED re-checks a concurrently changed row against its newest version) and nothing is
 * written; one that comes later waits for this commit and then revokes the family, successor
 * included. Rotations of one family queue on the same lock, so no two deadlock. Then the UPDATE's
 * `used_at IS NULL` decides the winner: a concurrent caller finds the token used and updates
 * nothing, so its successor INSERT, session touch and audit event (all driven by `used`) write
 * nothing either. The user (its roles with its token epoch) is read by the same statement.
 * Nothing is read before the write decides. The DPoP binding of an unbound family (`bindDpopJkt`) is driven by `used` too.
 */
const ROTATE_SQL = `
WITH live AS (
  SELECT s.id, s.user_id
    FROM tessera_sessions s JOIN tessera_refresh_tokens t ON t.session_id = s.id
   WHERE t.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2
     FOR NO KEY UPDATE OF s
), used AS (
  UPDATE tessera_refresh_tokens
     SET used_at = $2, successor_id = $3, successor_sealed = $4
   WHERE id = $1 AND used_at IS NULL AND session_id IN (SELECT id FROM live)
  RETURNING session_id
), successor AS (
  INSERT INTO tessera_refresh_tokens (${TOKEN_COLUMNS})
  SELECT $3, used.session_id, $5, $6, $7, NULL, NULL, NULL FROM used
  RETURNING id
), touched AS (
  UPDATE tessera_sessions s
     SET last_used_at = $2, last_ip = $8, last_user_agent = $9,
         -- RFC 9449 §5 binding at a refresh: NULL -> $18 only (a bound family keeps its key).
         dpop_jkt = COALESCE(s.dpop_jkt, $18::text),
         dpop_bound_at = CASE WHEN s.dpop_jkt IS NULL AND $18::text IS NOT NULL THEN $2 ELSE s.dpop_bound_at END
    FROM used
   WHERE s.id = used.session_id
  RETURNING s.id
), audited AS (
  INSERT INTO tessera_audit (at, type, outcome, user_id, session_id, ip, user_agent, data)
  SELECT $10::bigint, $11::text, $12::text, $13::text, $14::text, $15::text, $16::text, $17::jsonb
    FROM used
   WHERE $11::text IS NOT NULL
  RETURNING id
)
SELECT (SELECT count(*) FROM successor)::int AS rotated, (SELECT count(*) FROM touched)::int AS touched,
       (SELECT to_jsonb(u) FROM tessera_users u JOIN live ON u.id = live.user_id) AS user_row`;

export async function rotateRefreshToken(db: Db, input: RotateInput): Promise<RotateOutcome> {
  const { successor, audit } = input;
  const [result] = await db.query<{ rotated: number; user_row: UserRow | null }>(ROTATE_SQL, [
    input.tokenId,
    input.now,
    successor.id,
    input.successorSealed,
    successor.secretHash,
    successor.createdAt,
    successor.expiresAt,
    input.ip,
    input.userAgent,
    audit?.at ?? null,
    audit?.type ?? null,
    audit?.outcome ?? null,
    audit?.userId ?? null,
    audit?.sessionId ?? null,
    audit?.ip ?? null,
    audit?.userAgent ?? null,
    audit ? JSON.stringify(audit.data) : null,
    input.bindDpopJkt ?? null,
  ]);
  if (result?.rotated === 1 && result.user_row !== null) {
    return { outcome: "rotated", user: toUser(result.user_row) };
  }

  // Lost (or no such token): a fresh statement, so READ COMMITTED sees the winner's commit.
  const [row] = await db.query<{ used_at: number | null; successor: RefreshTokenRow | null }>(
    `SELECT t.used_at, to_jsonb(n) AS successor
     FROM tessera_refresh_tokens t LEFT JOIN tessera_refresh_tokens n ON n.id = t.successor_id
     WHERE t.id = $1`,
    [input.tokenId],
  );
  if (!row) return { outcome: "not_found" };
  // Unused, yet not claimed: its session was revoked or had expired.
  if (row.used_at === null) return { outcome: "revoked" };
  return {
    outcome: "already_used",
    usedAt: row.used_at,
    successor: row.successor ? toToken(row.successor) : null,
  };
}
