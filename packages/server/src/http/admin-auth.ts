import type { FastifyRequest } from "fastify";
import { requireResourceCredential } from "./resource-auth.js";

/**
 * Checks the HTTP Basic admin credential against `TESSERA_ADMIN_SECRETS`, with the same parsing
 * and constant-time comparison as the resource credentials. Returns the credential id; anything
 * else is 401 `invalid_client` with `WWW-Authenticate: Basic`.
 *
 * @example
 * const adminId = requireAdminCredential(request, config.adminSecrets);
 */
export function requireAdminCredential(
  request: FastifyRequest,
  credentials: ReadonlyArray<{ id: string; secret: string }>,
): string {
  return requireResourceCredential(request, credentials);
}
