import { TesseraError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { listSessions } from "../sessions/list.js";
import { revokeFamily } from "../sessions/revoke.js";
import { changeServerSessionPassword } from "./change-password.js";
import { SERVER_SESSION_COOKIE } from "./cookie.js";
import { loginServerSession, logoutServerSession } from "./login.js";
import type { ServerSessions } from "./types.js";
import { validateServerSession } from "./validate.js";

/**
 * `tessera.sessions`: server sessions over the runtime's store, users and audit.
 *
 * @example
 * const sessions = serverSessions(rt);
 */
export function serverSessions(rt: Runtime): ServerSessions {
  const ownerOf = async (sessionId: string): Promise<string> => {
    const session = typeof sessionId === "string" ? await rt.store.getSession(sessionId) : null;
    if (session === null) throw new TesseraError("not_found", "no such session");
    return session.userId;
  };
  return {
    cookieName: SERVER_SESSION_COOKIE,
    validate: (cookieValue, context) => validateServerSession(rt, cookieValue, context),
    login: (input) => loginServerSession(rt, input),
    logout: (cookieValue, context) => logoutServerSession(rt, cookieValue, context),
    changePassword: (sessionId, input) => changeServerSessionPassword(rt, sessionId, input),
    async list(sessionId) {
      return listSessions(rt, await ownerOf(sessionId), sessionId);
    },
    async revoke(sessionId, targetSessionId, context) {
      const userId = await ownerOf(sessionId);
      // Someone else's session and an unknown id are the same answer: ids cannot be probed.
      const target = typeof targetSessionId === "string" ? await rt.store.getSession(targetSessionId) : null;
      if (target === null || target.userId !== userId) throw new TesseraError("not_found", "no such session");
      await revokeFamily(rt, { sessionId: targetSessionId, userId, reason: "revoked_by_user", context });
    },
  };
}

export { SERVER_SESSION_COOKIE } from "./cookie.js";
export type * from "./types.js";
