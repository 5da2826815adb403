import { TesseraError } from "../errors.js";
import type { SessionRecord } from "../store.js";

/**
 * Throw `session_revoked` for a revoked family and `session_expired` past its absolute lifetime.
 *
 * @example
 * assertFamilyLive(found.session, rt.clock.now());
 */
export function assertFamilyLive(session: SessionRecord, now: number): void {
  if (session.revokedAt !== null) throw new TesseraError("session_revoked", "session revoked");
  if (now >= session.expiresAt) throw new TesseraError("session_expired", "session expired");
}

/**
 * Whether a family is neither revoked nor past its absolute lifetime.
 *
 * @example
 * if (isFamilyLive(session, now)) …
 */
export function isFamilyLive(session: SessionRecord, now: number): boolean {
  return session.revokedAt === null && now < session.expiresAt;
}
