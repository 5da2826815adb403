import type { FastifyInstance } from "fastify";
import { HttpError } from "./http-error.js";

/**
 * Answers a malformed CORS preflight (an `OPTIONS` with an `Origin` but no
 * `Access-Control-Request-Method`) with the documented 400 `invalid_request` JSON. Without it,
 * `@fastify/cors` answers such a request itself with a text/plain "Invalid Preflight Request".
 * Add before registering `@fastify/cors`, so this hook runs first.
 *
 * @example
 * refuseMalformedPreflight(app);
 * await app.register(cors, options);
 */
export function refuseMalformedPreflight(app: FastifyInstance): void {
  app.addHook("onRequest", async (request) => {
    if (
      request.method === "OPTIONS" &&
      request.headers.origin !== undefined &&
      request.headers["access-control-request-method"] === undefined
    ) {
      throw new HttpError("invalid_request");
    }
  });
}
