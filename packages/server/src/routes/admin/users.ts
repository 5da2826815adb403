import type { FastifyInstance } from "fastify";
import { optionalStringField, stringField } from "../../http/body-fields.js";
import { HttpError } from "../../http/http-error.js";
import type { RouteContext } from "../route-context.js";
import { adminUserJson, optionalBoolean, optionalRoles, USER_ID } from "./admin-json.js";
import { adminRoute, adminUserRoute } from "./admin-route.js";

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

const CREATE_FIELDS = ["email", "password", "roles", "email_verified"];
const UPDATE_FIELDS = ["email", "password", "roles", "disabled"];

/** The opaque `cursor` of a page: the last id it held, base64url. */
const cursorOf = (id: string) => Buffer.from(id, "utf8").toString("base64url");

/** The id a cursor names; 400 unless it decodes to a user id (a made-up cursor reaches no store). */
function afterIdOf(cursor: unknown): string | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  if (typeof cursor !== "string" || !/^[A-Za-z0-9_-]{1,256}$/.test(cursor)) {
    throw new HttpError("invalid_request");
  }
  const afterId = Buffer.from(cursor, "base64url").toString("utf8");
  if (!USER_ID.test(afterId)) throw new HttpError("invalid_request");
  return afterId;
}

function limitOf(limit: unknown): number {
  if (limit === undefined || limit === "") return DEFAULT_LIMIT;
  if (typeof limit !== "string" || !/^\d{1,4}$/.test(limit)) throw new HttpError("invalid_request");
  const n = Number(limit);
  if (n < 1 || n > MAX_LIMIT) throw new HttpError("invalid_request");
  return n;
}

/**
 * `POST /admin/users`, `GET /admin/users` (`?email=&limit=&cursor=` → `{users, next_cursor}`),
 * `GET|PATCH|DELETE /admin/users/:id`. A new password or `disabled: true` goes through the core's
 * credential fence (every session revoked, the epoch bumped); `roles` in a PATCH is the whole new
 * list, and a role removed bumps the epoch (earlier access tokens refused, sessions kept). A PATCH
 * is checked whole before anything is written: a refused one changes nothing.
 */
export function adminUserRoutes(app: FastifyInstance, ctx: RouteContext): void {
  adminRoute(
    app,
    {
      method: "POST",
      url: "/admin/users",
      summary: "Create a user (without a password: login by ticket only)",
      responses: { 201: "The user", 400: "Invalid input or weak password", 409: "E-mail taken" },
      fields: CREATE_FIELDS,
    },
    async ({ body, reply }) => {
      const email = stringField(body, "email", 320);
      const password = optionalStringField(body, "password", 1024);
      const emailVerified = optionalBoolean(body, "email_verified") ?? false;
      const roles = optionalRoles(body) ?? [];
      const created = await ctx.tessera.adminCreateUser(email, password, { emailVerified, roles });
      const user = await ctx.tessera.adminGetUser(created.id);
      return reply.code(201).send({ user: adminUserJson(user) });
    },
  );

  adminRoute(
    app,
    {
      method: "GET",
      url: "/admin/users",
      summary: "List users in id order, a page at a time, or find one by exact e-mail",
      responses: { 200: "{users, next_cursor}", 400: "Malformed query" },
    },
    async ({ request, reply }) => {
      const { email, limit: limitText, cursor } = request.query;
      if (email !== undefined && (typeof email !== "string" || email.length > 320)) {
        throw new HttpError("invalid_request");
      }
      const limit = limitOf(limitText);
      const afterId = afterIdOf(cursor);
      // One more than asked: whether a next page exists is known without a second query.
      const found = await ctx.tessera.adminFindUsers({
        limit: limit + 1,
        ...(typeof email === "string" && email !== "" ? { email } : {}),
        ...(afterId !== undefined ? { afterId } : {}),
      });
      const page = found.slice(0, limit);
      const last = page.at(-1);
      return reply.send({
        users: page.map(adminUserJson),
        next_cursor: found.length > limit && last ? cursorOf(last.id) : null,
      });
    },
  );

  adminUserRoute(
    app,
    {
      method: "GET",
      url: "/admin/users/:id",
      summary: "One user",
      responses: { 200: "{user}", 404: "No such user" },
    },
    async ({ userId, reply }) => reply.send({ user: adminUserJson(await ctx.tessera.adminGetUser(userId)) }),
  );

  adminUserRoute(
    app,
    {
      method: "PATCH",
      url: "/admin/users/:id",
      summary:
        "Change a user's e-mail, roles, password or disabled state, all or nothing (a new password or disabling revokes every session; a role removed refuses earlier access tokens)",
      responses: {
        200: "{user}",
        400: "Invalid input (a bad role name included) or weak password; nothing changed",
        404: "No such user",
        409: "E-mail taken",
      },
      fields: UPDATE_FIELDS,
    },
    async ({ userId, body, reply }) => {
      const email = optionalStringField(body, "email", 320);
      const password = optionalStringField(body, "password", 1024);
      const disabled = optionalBoolean(body, "disabled");
      const roles = optionalRoles(body);
      const user = await ctx.tessera.adminUpdateUser(userId, {
        ...(email !== undefined ? { email } : {}),
        ...(password !== undefined ? { password } : {}),
        ...(roles !== undefined ? { roles } : {}),
        ...(disabled !== undefined ? { disabled } : {}),
      });
      if (password !== undefined || disabled === true) ctx.metrics.revocations.inc({ reason: "admin" });
      return reply.send({ user: adminUserJson(user) });
    },
  );

  adminUserRoute(
    app,
    {
      method: "DELETE",
      url: "/admin/users/:id",
      summary: "Delete a user with every session (as account deletion)",
      responses: { 204: "Deleted", 404: "No such user" },
    },
    async ({ userId, reply }) => {
      if (!(await ctx.tessera.adminDeleteUser(userId))) throw new HttpError("not_found");
      return reply.code(204).send();
    },
  );
}
