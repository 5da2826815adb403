import type { Tessera } from "@tessera/core";
import type { FastifyInstance } from "fastify";
import { jsonObject } from "../../http/body-fields.js";

/**
 * Room for a full batch: 1,000 users of a 254-character e-mail, a hash of up to 512 characters
 * and a few roles each. The server's default body limit (16 KiB) stays for every other route.
 */
export const USERS_IMPORT_BODY_LIMIT = 1024 * 1024;

/**
 * `POST /admin/users/import {users:[{email, password_hash?, roles?, email_verified?}]}` → 200
 * `{imported, skipped:[{email, reason}]}`; more than 1,000 users, or no `users` array, → 400
 * `invalid_input`; a body that is not a JSON object → 400 `invalid_request`. Register it on the
 * admin-authenticated scope: this function checks no credential itself.
 *
 * @example
 * await app.register(async (admin) => {
 *   admin.addHook("onRequest", requireAdmin);
 *   usersImportRoute(admin, { tessera });
 * });
 */
export function usersImportRoute(app: FastifyInstance, ctx: { tessera: Tessera }): void {
  app.post("/admin/users/import", { bodyLimit: USERS_IMPORT_BODY_LIMIT }, async (request, reply) => {
    const { users } = jsonObject(request.body);
    const result = await ctx.tessera.adminImportUsers(users);
    return reply.code(200).send(result);
  });
}
