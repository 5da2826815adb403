import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { jsonObject } from "../../http/body-fields.js";
import { doc, SECURITY } from "../../http/openapi-doc.js";
import { onlyFields, userIdParam } from "./admin-json.js";

/** What one admin route states: its path, its OpenAPI summary and answers, and its body fields. */
export interface AdminRouteSpec {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  url: string;
  summary: string;
  /** Every answer but 401 `Admin credential required`, which every admin route documents. */
  responses: Record<number, string>;
  /** The fields its JSON body may hold; without it the route reads no body. */
  fields?: readonly string[];
}

/** One admin call, its path id and body already checked. */
export interface AdminCall {
  request: FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, unknown> }>;
  reply: FastifyReply;
  /** The JSON body (400 `invalid_request` before the handler when not an object or with a field not in `fields`); `{}` when the route reads none. */
  body: Record<string, unknown>;
}

/** An admin call on `/admin/users/:id…`: the id is checked (404 `not_found`) before the body. */
export interface AdminUserCall extends AdminCall {
  userId: string;
}

type Handler<Call> = (call: Call) => Promise<FastifyReply>;

/**
 * Registers one admin route. The admin scope (see `./index.ts`) already authenticated the caller
 * and audits the answer; this adds the OpenAPI entry (admin tag and security, 401 documented) and
 * the body check, so a handler states only what it does.
 *
 * @example
 * adminRoute(app, { method: "GET", url: "/admin/users", summary: "List users", responses: { 200: "{users}" } },
 *   async ({ request, reply }) => reply.send(await list(request.query)));
 */
export function adminRoute(app: FastifyInstance, spec: AdminRouteSpec, handle: Handler<AdminCall>): void {
  register(app, spec, (request, reply) => handle({ request, reply, body: bodyOf(request, spec) }));
}

/**
 * As `adminRoute`, for a route whose path holds the user `:id`.
 *
 * @example
 * adminUserRoute(app, { method: "GET", url: "/admin/users/:id", summary: "One user", responses: { 200: "{user}" } },
 *   async ({ userId, reply }) => reply.send({ user: adminUserJson(await ctx.tessera.adminGetUser(userId)) }));
 */
export function adminUserRoute(
  app: FastifyInstance,
  spec: AdminRouteSpec,
  handle: Handler<AdminUserCall>,
): void {
  register(app, spec, (request, reply) => {
    const userId = userIdParam(request.params.id ?? "");
    return handle({ request, reply, userId, body: bodyOf(request, spec) });
  });
}

function register(
  app: FastifyInstance,
  spec: AdminRouteSpec,
  handle: (request: AdminCall["request"], reply: FastifyReply) => Promise<FastifyReply>,
): void {
  const responses = { ...spec.responses, 401: "Admin credential required" };
  app.route<{ Params: Record<string, string>; Querystring: Record<string, unknown> }>({
    method: spec.method,
    url: spec.url,
    schema: doc("admin", spec.summary, responses, { security: SECURITY.admin }),
    handler: handle,
  });
}

function bodyOf(request: FastifyRequest, spec: AdminRouteSpec): Record<string, unknown> {
  if (spec.fields === undefined) return {};
  const body = jsonObject(request.body);
  onlyFields(body, spec.fields);
  return body;
}
