import type { IncomingMessage } from "node:http";
import type { ServerSessionUser, ServerSessionView } from "@tessera/core";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { clientContext } from "../http/client-context.js";
import { type Answer, errorAnswer, knownFailure } from "./answers.js";
import { LOGIN_PATH } from "./guards.js";
import { loginFlow, logoutFlow } from "./login-flow.js";
import { resolveSessionAuth, type SessionAuthOptions } from "./options.js";
import { openRequestSession, synchronizerDenial } from "./request-session.js";

declare global {
  namespace Express {
    interface Request {
      /** The live server session of this request, or null (set by `expressSessionAuth`). */
      session: ServerSessionView | null;
      /** The session's user, with roles and scope read at this request, or null. */
      user: ServerSessionUser | null;
    }
  }
}

const FORM = "application/x-www-form-urlencoded";
const BODY_LIMIT = 16 * 1024;

function write(res: Response, answer: Answer): void {
  for (const cookie of answer.cookies ?? []) res.append("set-cookie", cookie);
  res.status(answer.status).set(answer.headers);
  if (answer.json === undefined) res.end();
  else res.json(answer.json);
}

/** The body of one of the adapter's own routes, when no body parser ran before: form or JSON. */
async function readBody(req: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > BODY_LIMIT) return TOO_LARGE;
  }
  if ((req.headers["content-type"] ?? "").startsWith(FORM))
    return Object.fromEntries(new URLSearchParams(text));
  try {
    return text === "" ? {} : JSON.parse(text);
  } catch {
    return undefined;
  }
}
const TOO_LARGE = Symbol("too large");

/**
 * Server sessions for an Express app, with the behaviour of the Fastify plugin `sessionAuth`:
 * `req.session` and `req.user` on every request, the CSRF checks of every unsafe request first
 * (403 `csrf_failed`), and `POST loginPath` / `POST logoutPath`. Mount it before the routes; for a
 * `_csrf` form field on the app's own routes mount `express.urlencoded()` before it (or send
 * `X-CSRF-Token`).
 *
 * @example
 * app.use(express.urlencoded({ extended: false }));
 * app.use(expressSessionAuth({ tessera, origins: ["https://app.example"] }));
 * app.get("/admin", requireRole("admin"), handler);
 */
export function expressSessionAuth(options: SessionAuthOptions): RequestHandler {
  const auth = resolveSessionAuth(options);
  return (req: Request, res: Response, next: NextFunction) => {
    const run = async () => {
      (req as Request & { [LOGIN_PATH]?: string })[LOGIN_PATH] = auth.loginPath;
      const context = clientContext(req);
      const opened = await openRequestSession(auth, req.method, req.headers, context);
      if ("deny" in opened) return write(res, opened.deny);
      req.session = opened.session;
      req.user = opened.user;
      for (const cookie of opened.cookies) res.append("set-cookie", cookie);

      const own = req.method === "POST" && (req.path === auth.loginPath || req.path === auth.logoutPath);
      const body = own && req.body === undefined ? await readBody(req) : req.body;
      if (body === TOO_LARGE) return write(res, errorAnswer("payload_too_large"));
      const deny = synchronizerDenial(req.method, opened.session, req.headers, body);
      if (deny) return write(res, deny);
      if (!own) return next();
      const flow = {
        body,
        form: (req.headers["content-type"] ?? "").startsWith(FORM),
        cookieValue: opened.cookieValue,
        context,
      };
      write(res, await (req.path === auth.loginPath ? loginFlow : logoutFlow)(auth, flow));
    };
    run().catch((error: unknown) => {
      const answer = knownFailure(error);
      if (answer && !res.headersSent) write(res, answer);
      else next(error);
    });
  };
}
