import type { PublicJwk } from "@tessera/core";
import type { FastifyInstance } from "fastify";
import type { RouteContext } from "./route-context.js";

const PUBLIC_MEMBERS = ["kid", "kty", "alg", "use", "crv", "x", "y", "n", "e"] as const;

/**
 * Copies only the public members of a JWK: whatever the core hands over, a private member
 * (`d`, `p`, `q`, `k`, …) cannot leave through this endpoint.
 *
 * @example
 * publicOnly({ kid: "k1", kty: "OKP", crv: "Ed25519", x: "…", alg: "EdDSA", use: "sig" });
 */
export function publicOnly(jwk: PublicJwk): Partial<PublicJwk> {
  const out: Record<string, string> = {};
  for (const member of PUBLIC_MEMBERS) {
    const value = jwk[member];
    if (typeof value === "string") out[member] = value;
  }
  return out;
}

/** `GET /.well-known/jwks.json` and RFC 8414 `GET /.well-known/oauth-authorization-server`. */
export function wellKnownRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const base = ctx.config.issuer.replace(/\/+$/, "");

  app.get("/.well-known/jwks.json", async (_request, reply) => {
    const { keys } = await ctx.tessera.jwks();
    return reply
      .header("cache-control", "public, max-age=300")
      .type("application/jwk-set+json")
      .send({ keys: keys.map(publicOnly) });
  });

  app.get("/.well-known/oauth-authorization-server", async (_request, reply) => {
    return reply.header("cache-control", "public, max-age=3600").send({
      issuer: ctx.config.issuer,
      token_endpoint: `${base}/oauth/token`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      revocation_endpoint: `${base}/oauth/revoke`,
      introspection_endpoint: `${base}/oauth/introspect`,
      grant_types_supported: ["refresh_token"],
      // Every permission the role policy can grant.
      scopes_supported: ctx.tessera.scopesSupported(),
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ["none"],
      revocation_endpoint_auth_methods_supported: ["none"],
      introspection_endpoint_auth_methods_supported: ["client_secret_basic"],
      // Algorithm of the access tokens this server signs (RFC 9068 consumers read it from the JWKS too).
      token_signing_alg_values_supported: [ctx.config.signingAlg],
      dpop_signing_alg_values_supported: ctx.dpop.algorithms,
    });
  });
}
