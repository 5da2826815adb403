import type { RefreshTokenRecord, RotateInput, RotateOutcome } from "@tessera/core";
import { groupCommit } from "./group-commit.js";
import type { SqliteHandle } from "./handle.js";
import {
  auditToParams,
  INSERT_AUDIT,
  INSERT_TOKEN,
  TOKEN_COLUMNS,
  toUser,
  USER_COLUMNS,
  type UserRow,
} from "./rows.js";

/**
 * Rotation as one compare-and-set: the conditional UPDATE's change count picks the single winner,
 * and only while the token's session is live and unexpired (checked in the same statement, so a
 * revocation committed before it always wins and one committed after it revokes the successor too),
 * and the winner's successor insert, session touch and audit event are written in the same
 * savepoint of the same IMMEDIATE transaction. Nothing is read before the write, so there is no
 * window between "is it unused?" and "use it". Rotations of one event-loop turn share one WAL
 * commit (group-commit.ts): a refresh's biggest cost is its commit.
 */
export function rotateOperation(h: SqliteHandle) {
  const findToken = (id: string) =>
    h.sql(`SELECT ${TOKEN_COLUMNS} FROM refresh_tokens WHERE id = ?`).get(id) as
      | RefreshTokenRecord
      | undefined;

  const rotateRefreshToken = groupCommit(h, (input: RotateInput): RotateOutcome => {
    const claim = h
      .sql(
        `UPDATE refresh_tokens SET used_at = @now, successor_id = @successorId, successor_sealed = @successorSealed
         WHERE id = @tokenId AND used_at IS NULL AND EXISTS (
           SELECT 1 FROM sessions s
           WHERE s.id = refresh_tokens.session_id AND s.revoked_at IS NULL AND s.expires_at > @now)`,
      )
      .run({
        now: input.now,
        successorId: input.successor.id,
        successorSealed: input.successorSealed,
        tokenId: input.tokenId,
      });
    if (claim.changes === 1) {
      h.sql(INSERT_TOKEN).run(input.successor);
      // The successor belongs to the claimed token's session (core builds it from that token).
      h.sql(
        `UPDATE sessions SET last_used_at = @now, last_ip = @ip, last_user_agent = @userAgent
         WHERE id = @sessionId`,
      ).run({
        now: input.now,
        ip: input.ip,
        userAgent: input.userAgent,
        sessionId: input.successor.sessionId,
      });
      if (input.bindDpopJkt !== undefined) {
        h.sql("UPDATE sessions SET dpop_jkt = ?, dpop_bound_at = ? WHERE id = ? AND dpop_jkt IS NULL").run(
          input.bindDpopJkt,
          input.now,
          input.successor.sessionId,
        );
      }
      if (input.audit) h.sql(INSERT_AUDIT).run(auditToParams(input.audit));
      // Read in the rotation's own transaction: the roles and epoch the new access token carries.
      const user = toUser(
        h
          .sql(`SELECT ${USER_COLUMNS} FROM users WHERE id = (SELECT user_id FROM sessions WHERE id = ?)`)
          .get(input.successor.sessionId) as UserRow | undefined,
      );
      // The session row holds its user by a foreign key: a rotated session always has one.
      if (user === null) throw new Error("rotated session has no user");
      return { outcome: "rotated", user };
    }
    const token = findToken(input.tokenId);
    if (!token) return { outcome: "not_found" };
    if (token.usedAt === null) return { outcome: "revoked" };
    const successor = token.successorId === null ? null : (findToken(token.successorId) ?? null);
    return { outcome: "already_used", usedAt: token.usedAt, successor };
  });

  return { rotateRefreshToken };
}
