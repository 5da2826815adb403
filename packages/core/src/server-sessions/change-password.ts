import type { ClientContext } from "../api.js";
import { TesseraError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { checkPasswordChange } from "../users/change-password.js";
import { fenceCredentialChange } from "../users/credential-fence.js";
import { startServerSession } from "./start.js";
import type { StartedServerSession } from "./types.js";
import { isServerSessionLive } from "./validate.js";

/**
 * `tessera.sessions.changePassword`: check the session is live (`session_revoked`) and the
 * current password (`invalid_credentials`), apply the policy (`weak_password`), then through the
 * credential fence write the new hash and end EVERY session of the user — the caller's too — and
 * start a new server session under the new credential version, with the caller's idle timeout
 * and `remember` (a kept sign-in stays kept). The caller's old cookie is dead once the change
 * commits; a second change racing this one leaves the caller signed out
 * (`session_revoked`) rather than holding a session of superseded credentials.
 *
 * @example
 * const started = await changeServerSessionPassword(rt, request.session.id, { currentPassword, newPassword, context });
 */
export async function changeServerSessionPassword(
  rt: Runtime,
  sessionId: string,
  input: { currentPassword: string; newPassword: string; context: ClientContext },
): Promise<StartedServerSession> {
  const found = typeof sessionId === "string" ? await rt.store.getServerSession(sessionId) : null;
  if (found === null || !isServerSessionLive(found.session, found.user, rt.clock.now())) {
    throw new TesseraError("session_revoked", "session revoked");
  }
  const { user, passwordHash } = await checkPasswordChange(rt, found.user.id, input);
  const changed = await fenceCredentialChange(rt, {
    userId: user.id,
    reason: "password_changed",
    passwordHash,
  });
  if (changed === null) throw new TesseraError("invalid_credentials", "invalid password");
  const started = await startServerSession(rt, {
    user,
    context: input.context,
    idleTimeoutMs: found.session.idleTimeoutMs,
    remember: found.session.remember,
    credentialVersion: changed.credentialVersion,
  });
  await rt.audit({
    type: "user.password_changed",
    userId: user.id,
    sessionId: started?.session.id ?? sessionId,
    context: input.context,
    data: { epoch: changed.epoch, revokedSessions: changed.revokedSessionIds.length },
  });
  if (started === null) throw new TesseraError("session_revoked", "session revoked");
  return started;
}
