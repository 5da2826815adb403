import formbody from "@fastify/formbody";
import { isTesseraError, type Tessera } from "@tessera/core";
import { requireRole, requireSession, sessionAuth, startedSessionCookie } from "@tessera/server/sessions";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { csrfField, esc, page } from "./html.js";

const ERRORS: Record<string, string> = {
  invalid_credentials: "Wrong e-mail or password.",
  account_disabled: "This account is disabled.",
  rate_limited: "Too many failed attempts; try again later.",
  invalid_request: "Fill in both fields.",
  weak_password: "The new password must be 8–256 characters and not your e-mail address.",
};

const context = (request: FastifyRequest) => ({
  ip: request.ip,
  userAgent: request.headers["user-agent"] ?? null,
});
const when = (ms: number) => new Date(ms).toISOString().replace("T", " ").slice(0, 19);

/** The top bar: who is signed in and a logout button (a form: logging out changes state). */
function nav(request: FastifyRequest): string {
  if (request.user === null) return `<a href="/login">Sign in</a>`;
  return `<form method="post" action="/logout">${csrfField(request.session?.csrfToken)}
    <span>${esc(request.user.email)}</span> <button>Sign out</button></form>`;
}

/**
 * The example app: pages rendered on the server, HTML forms only, signed in with Tessera's
 * server sessions (`sessionAuth`). `origins` is the app's own origin, e.g. `http://127.0.0.1:3100`.
 *
 * @example
 * const app = await buildSsrApp({ tessera, origins: ["http://127.0.0.1:3100"] });
 * await app.listen({ host: "127.0.0.1", port: 3100 });
 */
export async function buildSsrApp(options: {
  tessera: Tessera;
  origins: string[];
}): Promise<FastifyInstance> {
  const { tessera } = options;
  const app = Fastify({ logger: false });
  await app.register(sessionAuth, { tessera, origins: options.origins });
  await app.register(formbody);
  const html = (reply: import("fastify").FastifyReply, body: string, status = 200) =>
    reply
      .code(status)
      .header("content-type", "text/html; charset=utf-8")
      .header("cache-control", "no-store")
      .send(body);

  app.get("/", async (request, reply) => {
    const body = request.user
      ? `<p>Signed in as <strong id="who">${esc(request.user.email)}</strong>.</p>`
      : `<p id="who">Not signed in. <a href="/login">Sign in</a></p>`;
    return html(reply, page("Home", body, nav(request)));
  });

  app.get<{ Querystring: { error?: string; next?: string } }>("/login", async (request, reply) => {
    const error = ERRORS[request.query.error ?? ""];
    const next = typeof request.query.next === "string" ? request.query.next : "/account";
    return html(
      reply,
      page(
        "Sign in",
        `${error ? `<p class="error" id="error">${esc(error)}</p>` : ""}
        <form method="post" action="/login">${csrfField(request.session?.csrfToken)}
          <input type="hidden" name="next" value="${esc(next)}">
          <label>E-mail <input name="email" type="email" autocomplete="username" required></label>
          <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
          <label><input type="checkbox" name="remember"> Keep me signed in</label>
          <button id="sign-in">Sign in</button>
        </form>`,
        nav(request),
      ),
    );
  });

  app.get<{ Querystring: { error?: string } }>(
    "/account",
    { preHandler: requireSession() },
    async (request, reply) => {
      const { user, session } = request;
      if (!user || !session) return reply.code(401).send();
      const devices = await tessera.sessions.list(session.id);
      const rows = devices
        .map(
          (
            d,
          ) => `<tr data-session="${esc(d.id)}"><td>${esc(d.kind)}</td><td>${esc(d.lastUserAgent ?? "-")}</td>
        <td>${esc(d.lastIp ?? "-")}</td><td>${when(d.lastUsedAt)}</td><td>${
          d.current
            ? "this device"
            : `<form method="post" action="/devices/${esc(d.id)}/sign-out">${csrfField(session.csrfToken)}<button>Sign out this device</button></form>`
        }</td></tr>`,
        )
        .join("");
      const error = ERRORS[request.query.error ?? ""];
      return html(
        reply,
        page(
          "Account",
          `<p>E-mail: <strong id="email">${esc(user.email)}</strong></p>
        <p>Roles: <span id="roles">${esc(user.roles.join(", ") || "none")}</span></p>
        <h2>Devices</h2><table id="devices"><tr><th>Kind</th><th>Browser</th><th>IP</th><th>Last seen (UTC)</th><th></th></tr>${rows}</table>
        <h2>Change password</h2>${error ? `<p class="error" id="error">${esc(error)}</p>` : ""}
        <form method="post" action="/password" id="password-form">${csrfField(session.csrfToken)}
          <label>Current password <input name="currentPassword" type="password" autocomplete="current-password" required></label>
          <label>New password <input name="newPassword" type="password" autocomplete="new-password" required></label>
          <button>Change password</button>
        </form>`,
          nav(request),
        ),
      );
    },
  );

  app.post<{ Params: { id: string } }>(
    "/devices/:id/sign-out",
    { preHandler: requireSession() },
    async (request, reply) => {
      try {
        await tessera.sessions.revoke(request.session?.id ?? "", request.params.id, context(request));
      } catch (error) {
        if (!isTesseraError(error, "not_found")) throw error;
      }
      return reply.redirect("/account", 303);
    },
  );

  app.post<{ Body: { currentPassword?: unknown; newPassword?: unknown } }>(
    "/password",
    { preHandler: requireSession() },
    async (request, reply) => {
      const { currentPassword, newPassword } = request.body ?? {};
      if (typeof currentPassword !== "string" || typeof newPassword !== "string") {
        return reply.redirect("/account?error=invalid_request", 303);
      }
      try {
        const started = await tessera.sessions.changePassword(request.session?.id ?? "", {
          currentPassword,
          newPassword,
          context: context(request),
        });
        // Every session ended, this one too: the new one's cookie replaces it, kept as long as the
        // old one was ("keep me signed in" carries over).
        return reply.header("set-cookie", startedSessionCookie(started)).redirect("/account", 303);
      } catch (error) {
        if (isTesseraError(error, "invalid_credentials", "weak_password")) {
          return reply.redirect(`/account?error=${error.code}`, 303);
        }
        if (isTesseraError(error, "session_revoked")) return reply.redirect("/login", 303);
        throw error;
      }
    },
  );

  app.get("/admin", { preHandler: requireRole("admin") }, async (request, reply) => {
    const users = await tessera.adminListUsers({ limit: 100 });
    const rows = users
      .map((u) => `<tr><td>${esc(u.email)}</td><td>${esc(u.roles.join(", "))}</td></tr>`)
      .join("");
    return html(
      reply,
      page("Admin", `<table id="users"><tr><th>User</th><th>Roles</th></tr>${rows}</table>`, nav(request)),
    );
  });

  return app;
}
