import type { FastifyInstance } from "fastify";
import { jsonObject, optionalStringField, stringField } from "../../http/body-fields.js";
import { HttpError } from "../../http/http-error.js";
import { doc, SECURITY } from "../../http/openapi-doc.js";
import type { RouteContext } from "../route-context.js";
import { adminUserJson, onlyFields, optionalBoolean, optionalRoles, userIdParam } from "./admin-json.js";

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;
const security = SECURITY.admin;

const CREATE_FIELDS = ["email", "password", "roles", "email_verified"];
const UPDATE_FIELDS = ["email", "password", "roles", "disabled"];

/** The opaque `cursor` of a page: the last id it held, base64url. */
const cursorOf = (id: string) => Buffer.from(id, "utf8").toString("base64url");

function afterIdOf(cursor: unknown): string | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  if (typeof cursor !== "string" || !/^[A-Za-z0-9_-]{1,256}$/.test(cursor)) {
    throw new HttpError("invalid_request");
  }
  return Buffer.from(cursor, "base64url").toString("utf8");
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
  app.post(
    "/admin/users",
    {
      schema: doc(
        "admin",
        "Create a user (without a password: login by ticket only)",
        {
          201: "The user",
          400: "Invalid input or weak password",
          401: "Admin credential required",
          409: "E-mail taken",
        },
        { security },
      ),
    },
    async (request, reply) => {
      const body = jsonObject(request.body);
      onlyFields(body, CREATE_FIELDS);
      const email = stringField(body, "email", 320);
      const password = optionalStringField(body, "password", 1024);
      const emailVerified = optionalBoolean(body, "email_verified") ?? false;
      const roles = optionalRoles(body) ?? [];
      const created = await ctx.tessera.adminCreateUser(email, password, { emailVerified, roles });
      const user = await ctx.tessera.adminGetUser(created.id);
      return reply.code(201).send({ user: adminUserJson(user) });
    },
  );

  app.get<{ Querystring: Record<string, unknown> }>(
    "/admin/users",
    {
      schema: doc(
        "admin",
        "List users in id order, a page at a time, or find one by exact e-mail",
        { 200: "{users, next_cursor}", 400: "Malformed query", 401: "Admin credential required" },
        { security },
      ),
    },
    async (request, reply) => {
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

  app.get<{ Params: { id: string } }>(
    "/admin/users/:id",
    {
      schema: doc(
        "admin",
        "One user",
        { 200: "{user}", 401: "Admin credential required", 404: "No such user" },
        { security },
      ),
    },
    async (request, reply) => {
      const user = await ctx.tessera.adminGetUser(userIdParam(request.params.id));
      return reply.send({ user: adminUserJson(user) });
    },
  );

  app.patch<{ Params: { id: string } }>(
    "/admin/users/:id",
    {
      schema: doc(
        "admin",
        "Change a user's e-mail, roles, password or disabled state, all or nothing (a new password or disabling revokes every session; a role removed refuses earlier access tokens)",
        {
          200: "{user}",
          400: "Invalid input (a bad role name included) or weak password; nothing changed",
          401: "Admin credential required",
          404: "No such user",
          409: "E-mail taken",
        },
        { security },
      ),
    },
    async (request, reply) => {
      const id = userIdParam(request.params.id);
      const body = jsonObject(request.body);
      onlyFields(body, UPDATE_FIELDS);
      const email = optionalStringField(body, "email", 320);
      const password = optionalStringField(body, "password", 1024);
      const disabled = optionalBoolean(body, "disabled");
      const roles = optionalRoles(body);
      const user = await ctx.tessera.adminUpdateUser(id, {
        ...(email !== undefined ? { email } : {}),
        ...(password !== undefined ? { password } : {}),
        ...(roles !== undefined ? { roles } : {}),
        ...(disabled !== undefined ? { disabled } : {}),
      });
      if (password !== undefined || disabled === true) ctx.metrics.revocations.inc({ reason: "admin" });
      return reply.send({ user: adminUserJson(user) });
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/admin/users/:id",
    {
      schema: doc(
        "admin",
        "Delete a user with every session (as account deletion)",
        { 204: "Deleted", 401: "Admin credential required", 404: "No such user" },
        { security },
      ),
    },
    async (request, reply) => {
      const id = userIdParam(request.params.id);
      if (!(await ctx.tessera.adminDeleteUser(id))) throw new HttpError("not_found");
      return reply.code(204).send();
    },
  );
}
