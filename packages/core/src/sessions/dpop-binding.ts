import type { ClientContext } from "../api.js";
import type { Runtime } from "../runtime.js";
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
 * RFC 9449 §5: refresh tokens of public clients MUST be bound. After a rotation of an unbound
 * family that presented a proof, bind the family to the proof's key (compare-and-set in the
 * store, so concurrent binds have one winner) and audit it. Returns the session to issue from:
 * bound to `jkt`, or as the store now has it when another call bound it first.
 *
 * @example
 * const issueFrom = await bindOnRefresh(rt, session, input.dpopJkt, now, context);
 */
export async function bindOnRefresh(
  rt: Runtime,
  session: SessionRecord,
  jkt: string | undefined,
  now: number,
  context: ClientContext,
): Promise<SessionRecord> {
  if (jkt === undefined || session.dpopJkt !== null) return session;
  if (await rt.store.bindSessionDpop(session.id, jkt, now)) {
    await rt.audit({ type: "session.dpop_bound", userId: session.userId, sessionId: session.id, context });
    return { ...session, dpopJkt: jkt, dpopBoundAt: now };
  }
  return (await rt.store.getSession(session.id)) ?? session;
}
