import type { FastifyInstance } from "fastify";
import { stringField } from "../http/body-fields.js";
import { answerLogin } from "../http/login-answer.js";
import { doc } from "../http/openapi-doc.js";
import type { RouteContext } from "./route-context.js";

// Failed redemptions share one failure budget per client IP (there is no account to key them by).
const TICKET_ACCOUNT = "\u0000login-ticket";

/**
 * `POST /auth/login/ticket {ticket, token_delivery?}` → exactly the answer of `/auth/login` for the
 * ticket's user (cookie + CSRF token, or body delivery; DPoP as at login). The Origin rule and the
 * login limits apply. Unknown, used or expired → 401 `invalid_ticket`; disabled user → 403
 * `account_disabled`; unverified address when verification is required → 403 `email_unverified`.
 */
export function loginTicketRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const schema = doc("auth", "Log in with a single-use login ticket from POST /admin/login-tickets", {
    200: "Exactly the answer of POST /auth/login",
    400: "Malformed request or DPoP proof",
    401: "invalid_ticket (unknown, used or expired)",
    403: "Origin not allowed, account_disabled, or email_unverified (as at /auth/login)",
    429: "Too many failed redemptions or requests",
  });
  app.post("/auth/login/ticket", { schema }, (request, reply) =>
    answerLogin(request, reply, ctx, (body) => {
      const ticket = stringField(body, "ticket", 256);
      return {
        account: TICKET_ACCOUNT,
        failure: "invalid_ticket",
        run: (client) => ctx.tessera.loginWithTicket({ ticket, ...client }),
      };
    }),
  );
}
