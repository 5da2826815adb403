import type { TokenSet } from "@tessera/core";
import type { FastifyReply } from "fastify";

/**
 * The JSON of a login or refresh answer (the refresh token itself travels in the cookie unless
 * the client asked for body delivery).
 *
 * @example
 * reply.send(tokenBody(tokens));
 */
export function tokenBody(tokens: TokenSet): {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  csrf_token: string;
  scope: string;
  user: { id: string; email: string; roles: string[] };
} {
  return {
    access_token: tokens.accessToken,
    token_type: "Bearer",
    expires_in: tokens.expiresIn,
    csrf_token: tokens.csrfToken,
    // The granted scope (RFC 6749 §5.1), which may be narrower than the one asked for.
    scope: tokens.scope,
    user: { id: tokens.user.id, email: tokens.user.email, roles: tokens.user.roles },
  };
}

/**
 * Marks an answer uncacheable by browsers and proxies (RFC 6749 §5.1).
 *
 * @example
 * noStore(reply).send(body);
 */
export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header("cache-control", "no-store").header("pragma", "no-cache");
}
