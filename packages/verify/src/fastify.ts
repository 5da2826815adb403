import type {
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  preHandlerAsyncHookHandler,
} from "fastify";
import { isVerifyError, VerifyError } from "./errors.js";
import { type AuthFailure, authFailure, credentials, dpopBaseUrl, isCorsPreflight } from "./http-auth.js";
import { judge, type Requirement, roleRequirement, scopeRequirement } from "./require.js";
import type { AccessClaims, Verifier } from "./types.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Claims of the verified access token (`null` on routes that let anonymous requests in). */
    auth: AccessClaims | null;
  }
}

/** Options of {@link fastifyAuth}. */
export interface FastifyAuthOptions {
  verifier: Verifier;
  /** Let requests without any bearer token through (`request.auth` stays `null`). */
  optional?: boolean;
  /**
   * The public origin (and path prefix) clients address, e.g. `https://api.example.com`: DPoP
   * proofs must name it (`htu`). Required for DPoP-bound tokens (`dpop_not_configured` without
   * it); never taken from the `Host` header.
   */
  baseUrl?: string;
}

function send(reply: FastifyReply, failure: AuthFailure): FastifyReply {
  return reply.code(failure.status).headers(failure.headers).send(failure.body);
}

const plugin: FastifyPluginCallback<FastifyAuthOptions> = (fastify, options, done) => {
  const { verifier, optional = false } = options;
  if (typeof verifier?.verify !== "function") {
    done(new TypeError("fastifyAuth: options.verifier is required"));
    return;
  }
  let base: string | undefined;
  try {
    base = dpopBaseUrl(options.baseUrl, "fastifyAuth");
  } catch (error) {
    done(error as TypeError);
    return;
  }
  fastify.decorateRequest("auth", null);
  fastify.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    if (isCorsPreflight(request.method, request.headers["access-control-request-method"])) return;
    let presented: ReturnType<typeof credentials>;
    try {
      presented = credentials(request.headers.authorization);
    } catch (error) {
      return send(reply, authFailure(error as VerifyError));
    }
    if (presented === undefined) {
      if (optional) return;
      return send(reply, authFailure(new VerifyError("token_missing")));
    }
    try {
      request.auth = await verifier.verifyRequest({
        method: request.method,
        authorization: request.headers.authorization,
        ...(presented.scheme === "dpop" ? { dpop: request.headers.dpop } : {}),
        ...(presented.scheme === "dpop" && base !== undefined ? { url: `${base}${request.url}` } : {}),
      });
    } catch (error) {
      if (isVerifyError(error)) return send(reply, authFailure(error));
      throw error;
    }
  });
  done();
};

/**
 * Fastify plugin: verifies `Authorization: Bearer …` on every request of the scope it is
 * registered in and sets `request.auth`; otherwise answers 401 with an RFC 6750 challenge.
 * Not encapsulated (like `fastify-plugin`), so hooks apply to the registering scope; register
 * it inside a child plugin to protect only some routes.
 *
 * @example
 * await app.register(fastifyAuth, { verifier });
 * app.get("/me", async (request) => ({ sub: request.auth?.sub }));
 */
export const fastifyAuth: FastifyPluginCallback<FastifyAuthOptions> = Object.assign(plugin, {
  [Symbol.for("skip-override")]: true,
  [Symbol.for("fastify.display-name")]: "@tessera/verify",
});

/**
 * A `preHandler` answering 403 `insufficient_scope` unless the token grants every scope.
 *
 * @example
 * app.post("/orders", { preHandler: requireScope("orders:write") }, createOrder);
 */
export function requireScope(...scopes: string[]): preHandlerAsyncHookHandler {
  return guard(scopeRequirement(scopes));
}

/**
 * A `preHandler` answering 403 `insufficient_scope` unless the token's `roles` claim holds every
 * one of `roles`.
 *
 * @example
 * app.delete("/users/:id", { preHandler: requireRole("admin") }, deleteUser);
 */
export function requireRole(...roles: string[]): preHandlerAsyncHookHandler {
  return guard(roleRequirement(roles));
}

function guard(requirement: Requirement): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const failure = judge(request.auth, requirement);
    if (failure) return send(reply, failure);
  };
}
