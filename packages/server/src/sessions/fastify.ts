import type { ServerSessionUser, ServerSessionView } from "@tessera/core";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { clientContext } from "../http/client-context.js";
import { type Answer, knownFailure } from "./answers.js";
import { LOGIN_PATH } from "./guards.js";
import { type FlowRequest, loginFlow, logoutFlow } from "./login-flow.js";
import { resolveSessionAuth, type SessionAuthOptions } from "./options.js";
import { openRequestSession, synchronizerDenial } from "./request-session.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The live server session of this request, or null (set by `sessionAuth`). */
    session: ServerSessionView | null;
    /** The session's user, with roles and scope read at this request, or null. */
    user: ServerSessionUser | null;
  }
}

const COOKIE_VALUE = Symbol("tessera.sessions.cookieValue");
type Marked = FastifyRequest & { [COOKIE_VALUE]?: string | undefined; [LOGIN_PATH]?: string };

const FORM = "application/x-www-form-urlencoded";
const BODY_LIMIT = 16 * 1024;

/** Answers a store outage as 503 `store_unavailable` rather than the app's 500; rethrows the rest. */
function failed(reply: FastifyReply, error: unknown): FastifyReply {
  const answer = knownFailure(error);
  if (answer) return send(reply, answer);
  throw error;
}

/** Runs `step`, answering a store outage as {@link failed} does. */
async function guarded(reply: FastifyReply, step: () => Promise<FastifyReply | undefined>) {
  try {
    return await step();
  } catch (error) {
    return failed(reply, error);
  }
}

function send(reply: FastifyReply, answer: Answer): FastifyReply {
  for (const cookie of answer.cookies ?? []) reply.header("set-cookie", cookie);
  reply.code(answer.status).headers(answer.headers);
  return answer.json === undefined ? reply.send() : reply.send(answer.json);
}

/**
 * Server sessions for a Fastify app (not encapsulated: its hooks run for every route). Every
 * request gets `request.session` and `request.user` (null without a live session); every unsafe
 * request passes the CSRF checks first (403 `csrf_failed`); `POST loginPath` and `POST logoutPath`
 * log in and out, parsing form-encoded or JSON bodies of these two routes only.
 *
 * @example
 * await app.register(sessionAuth, { tessera, origins: ["https://app.example"] });
 * app.get("/admin", { preHandler: requireRole("admin") }, handler);
 */
export async function sessionAuth(app: FastifyInstance, options: SessionAuthOptions): Promise<void> {
  const auth = resolveSessionAuth(options);
  app.decorateRequest("session", null);
  app.decorateRequest("user", null);

  // These two run on every request: one async function for the first, none for the second (a
  // callback hook), rather than a promise per layer.
  app.addHook("onRequest", async (request: Marked, reply) => {
    request[LOGIN_PATH] = auth.loginPath;
    try {
      const opened = await openRequestSession(auth, request.method, request.headers, clientContext(request));
      if ("deny" in opened) return send(reply, opened.deny);
      request.session = opened.session;
      request.user = opened.user;
      request[COOKIE_VALUE] = opened.cookieValue;
      for (const cookie of opened.cookies) reply.header("set-cookie", cookie);
      return undefined;
    } catch (error) {
      return failed(reply, error);
    }
  });
  app.addHook("preValidation", (request, reply, done) => {
    const deny = synchronizerDenial(request.method, request.session, request.headers, request.body);
    if (deny) send(reply, deny);
    else done();
  });

  const flow = (request: Marked): FlowRequest => ({
    body: request.body,
    form: (request.headers["content-type"] ?? "").startsWith(FORM),
    cookieValue: request[COOKIE_VALUE],
    context: clientContext(request),
  });
  // The two routes in a context of their own, so their form parser reaches no other route.
  await app.register(async (routes) => {
    if (!routes.hasContentTypeParser(FORM)) {
      routes.addContentTypeParser(
        FORM,
        { parseAs: "string", bodyLimit: BODY_LIMIT },
        (_request, body, done) => {
          done(null, Object.fromEntries(new URLSearchParams(body as string)));
        },
      );
    }
    routes.post(auth.loginPath, { bodyLimit: BODY_LIMIT }, async (request, reply) =>
      guarded(reply, async () => send(reply, await loginFlow(auth, flow(request)))),
    );
    routes.post(auth.logoutPath, { bodyLimit: BODY_LIMIT }, async (request, reply) =>
      guarded(reply, async () => send(reply, await logoutFlow(auth, flow(request)))),
    );
  });
}
// fastify-plugin's marks, without the dependency: the hooks and decorations reach the whole app.
Object.assign(sessionAuth, {
  [Symbol.for("skip-override")]: true,
  [Symbol.for("fastify.display-name")]: "tessera-session-auth",
});
