// `@tessera/server/sessions`: server sessions for server-rendered apps (Fastify and Express).
export { expressSessionAuth } from "./express.js";
export { sessionAuth } from "./fastify.js";
export { requireRole, requireScope, requireSession } from "./guards.js";
export type { SessionAuthOptions } from "./options.js";
export {
  CLEAR_SESSION_COOKIE,
  readSessionCookie,
  sessionCookie,
  startedSessionCookie,
} from "./session-cookie.js";
