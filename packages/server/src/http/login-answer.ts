import { type ClientContext, isTesseraError, type TokenSet } from "@tessera/core";
import type { FastifyReply, FastifyRequest } from "fastify";
import { tokenEndpointProof } from "../dpop/dpop-failure.js";
import type { RouteContext } from "../routes/route-context.js";
import { jsonObject, optionalStringField } from "./body-fields.js";
import { clientContext } from "./client-context.js";
import { HttpError } from "./http-error.js";
import { checkOrigin } from "./origin.js";
import { setRefreshCookie } from "./refresh-cookie.js";
import { noStore, tokenBody } from "./token-body.js";

/** One login (password or ticket) as its route reads it from the JSON body. */
export interface LoginAttempt {
  /** Whose failure budget (with the client IP's) a failure spends. */
  account: string;
  /** The error code of a failure that stays counted against the budget. */
  failure: "invalid_credentials" | "invalid_ticket";
  /** Runs the login for this client, bound to the DPoP key of its proof when it sent one. */
  run(client: { context: ClientContext; dpopJkt?: string }): Promise<TokenSet>;
}

/**
 * The whole answer of a login route: the Origin rule (403), the JSON body (400), the route's own
 * fields (`read`), the token delivery and DPoP proof, the login failure budget and metrics, then
 * tokens with the refresh token in the cookie or the body.
 *
 * @example
 * app.post("/auth/login/ticket", { schema }, (request, reply) =>
 *   answerLogin(request, reply, ctx, (body) => {
 *     const ticket = stringField(body, "ticket", 256);
 *     return { account: TICKET_ACCOUNT, failure: "invalid_ticket", run: (client) => ctx.tessera.loginWithTicket({ ticket, ...client }) };
 *   }),
 * );
 */
export async function answerLogin(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: RouteContext,
  read: (body: Record<string, unknown>) => LoginAttempt,
): Promise<FastifyReply> {
  checkOrigin(request, ctx.allowedOrigins);
  const body = jsonObject(request.body);
  const attempt = read(body);
  const how = await loginDelivery(request, body, ctx);
  const tokens = await budgetedLogin(request, ctx, attempt.account, attempt.failure, () =>
    attempt.run({ context: clientContext(request), ...(how.dpopJkt ? { dpopJkt: how.dpopJkt } : {}) }),
  );
  return sendLoginAnswer(reply, ctx, tokens, how);
}

/** How a login (password or ticket) hands out its refresh token, and the DPoP key it binds. */
interface LoginDelivery {
  delivery: "cookie" | "body";
  dpopJkt: string | undefined;
}

/**
 * Reads `token_delivery` (`cookie`, the default, or `body` for native clients) and checks a DPoP
 * proof when one is sent (RFC 9449; only with body delivery: a cookie session cannot be bound).
 *
 * @example
 * const how = await loginDelivery(request, body, ctx);
 */
async function loginDelivery(
  request: FastifyRequest,
  body: Record<string, unknown>,
  ctx: RouteContext,
): Promise<LoginDelivery> {
  const delivery = optionalStringField(body, "token_delivery", 16) ?? "cookie";
  if (delivery !== "cookie" && delivery !== "body") throw new HttpError("invalid_request");
  if (!ctx.dpop.present(request)) return { delivery, dpopJkt: undefined };
  if (delivery !== "body") throw new HttpError("invalid_request");
  return { delivery, dpopJkt: await tokenEndpointProof(request, ctx.dpop) };
}

/**
 * The answer of a successful login: tokens and CSRF token in the JSON, the refresh token in the
 * cookie — or, with body delivery, in the JSON (`token_type: "DPoP"` when bound).
 *
 * @example
 * return sendLoginAnswer(reply, ctx, tokens, how);
 */
function sendLoginAnswer(
  reply: FastifyReply,
  ctx: RouteContext,
  tokens: TokenSet,
  how: LoginDelivery,
): FastifyReply {
  noStore(reply);
  if (how.delivery === "body") {
    if (ctx.dpop.nonces) reply.header("dpop-nonce", ctx.dpop.nonces.current());
    const tokenType = how.dpopJkt ? "DPoP" : "Bearer";
    return reply.send({ ...tokenBody(tokens), token_type: tokenType, refresh_token: tokens.refreshToken });
  }
  setRefreshCookie(reply, tokens.refreshToken, tokens.sessionExpiresAt, ctx.now());
  return reply.send(tokenBody(tokens));
}

/**
 * Runs one login attempt (password or ticket) under the login failure budget of `account` and the
 * client IP (429 when spent), counting its outcome in the login metrics; a failure of code
 * `failure` stays counted against the budget.
 *
 * @example
 * const tokens = await budgetedLogin(request, ctx, email, "invalid_credentials", () => ctx.tessera.login(input));
 */
async function budgetedLogin(
  request: FastifyRequest,
  ctx: RouteContext,
  account: string,
  failure: "invalid_credentials" | "invalid_ticket",
  attempt: () => Promise<TokenSet>,
): Promise<TokenSet> {
  try {
    await ctx.limits.failures?.check(request, account);
  } catch (error) {
    ctx.metrics.logins.inc({ outcome: "rate_limited" });
    throw error;
  }
  try {
    const tokens = await attempt();
    ctx.metrics.logins.inc({ outcome: "success" });
    return tokens;
  } catch (error) {
    if (isTesseraError(error, failure)) {
      ctx.metrics.logins.inc({ outcome: failure });
      await ctx.limits.failures?.spend(request, account);
    } else {
      ctx.metrics.logins.inc({ outcome: "error" });
    }
    throw error;
  }
}
