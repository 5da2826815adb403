import type { RefreshTokenRecord, SessionRecord } from "../store.js";

/**
 * Whether a refresh presenting `jkt` (the proof's thumbprint, if any) may go on with `token` of
 * `session`: an unbound family, or the key it is bound to. A token created before a refresh bound
 * the family was a bearer token; it keeps the bearer rules (so presenting it again after its use
 * is still reuse, whoever bound the family since), rather than being refused as "another key".
 *
 * @example
 * if (!dpopKeyFits(session, token, input.dpopJkt)) throw invalid();
 */
export function dpopKeyFits(
  session: SessionRecord,
  token: RefreshTokenRecord,
  jkt: string | undefined,
): boolean {
  if (session.dpopJkt === null || jkt === session.dpopJkt) return true;
  const boundAt = session.dpopBoundAt ?? null;
  return boundAt !== null && token.createdAt < boundAt;
}

/**
 * RFC 9449 §5: refresh tokens of public clients MUST be bound. The key a rotation of `session`
 * binds the family to (`RotateInput.bindDpopJkt`: in the rotation's own transaction, winner
 * only): the proof's, when the family is still unbound. `undefined` otherwise.
 *
 * @example
 * const bindDpopJkt = dpopKeyToBind(session, input.dpopJkt);
 */
export function dpopKeyToBind(session: SessionRecord, jkt: string | undefined): string | undefined {
  return session.dpopJkt === null ? jkt : undefined;
}
