import type { ServerSessionUser } from "@tessera/core";
import { type Answer, errorAnswer, redirectAnswer, wantsHtml } from "./answers.js";

/** Where the adapters keep the login path for the guards. */
export const LOGIN_PATH = Symbol("tessera.sessions.loginPath");

/** The request as the guards see it, in Fastify and Express alike. */
interface GuardedRequest {
  user?: ServerSessionUser | null;
  url?: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  [LOGIN_PATH]?: string;
}

/** What the guards write to: Fastify's reply or Express's response. */
interface GuardedReply {
  header?: (name: string, value: string) => unknown;
  setHeader?: (name: string, value: string) => unknown;
  code?: (status: number) => unknown;
  status?: (status: number) => unknown;
  send: (body?: unknown) => unknown;
}

type Next = () => void;

/**
 * A guard usable as a Fastify `preHandler` and as Express middleware (both `(request, reply,
 * next)`): calls `next()` when `allowed(user)`, else answers 401 — or, for a browser asking for
 * HTML, 303 to the login page with `next` — without a session, and 403 `insufficient_scope`
 * with one.
 */
type Guard = (request: GuardedRequest, reply: GuardedReply, next: Next) => void;

function guard(allowed: (user: ServerSessionUser) => boolean): Guard {
  return (request, reply, next) => {
    const user = request.user ?? null;
    if (user !== null && allowed(user)) return next();
    if (user === null && wantsHtml(request.headers.accept)) {
      const here = request.originalUrl ?? request.url ?? "/";
      const login = request[LOGIN_PATH] ?? "/login";
      return write(reply, redirectAnswer(`${login}?next=${encodeURIComponent(here)}`));
    }
    write(reply, errorAnswer(user === null ? "session_required" : "insufficient_scope"));
  };
}

function write(reply: GuardedReply, answer: Answer): void {
  const setHeader = (reply.header ?? reply.setHeader)?.bind(reply);
  for (const [name, value] of Object.entries(answer.headers)) setHeader?.(name, value);
  if (reply.code) reply.code(answer.status);
  else reply.status?.(answer.status);
  reply.send(answer.json);
}

/**
 * Only for a request with a live session.
 *
 * @example
 * app.get("/account", { preHandler: requireSession() }, handler); // Fastify
 * app.get("/account", requireSession(), handler);                   // Express
 */
export function requireSession(): Guard {
  return guard(() => true);
}

/**
 * Only for a user holding every one of `roles` (read at this request).
 *
 * @example
 * app.get("/admin", { preHandler: requireRole("admin") }, handler);
 */
export function requireRole(...roles: string[]): Guard {
  return guard((user) => roles.every((role) => user.roles.includes(role)));
}

/**
 * Only for a user whose roles grant every one of `scopes` (by the role policy, at this request).
 *
 * @example
 * app.post("/orders", requireScope("orders:write"), handler);
 */
export function requireScope(...scopes: string[]): Guard {
  return guard((user) => scopes.every((scope) => user.scope.includes(scope)));
}
