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
  user: { id: string; email: string };
} {
  return {
    access_token: tokens.accessToken,
    token_type: "Bearer",
    expires_in: tokens.expiresIn,
    csrf_token: tokens.csrfToken,
    user: { id: tokens.user.id, email: tokens.user.email },
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
