import type { FastifySchema } from "fastify";

/**
 * A route's own OpenAPI description: a summary, a tag and its response codes. Responses carry only
 * a description (no body schema), so the JSON a route sends is serialised exactly as before.
 *
 * @example
 * app.post("/auth/login", { schema: doc("auth", "Log in", { 200: "Tokens", 401: "Wrong e-mail or password" }) }, handler);
 */
export function doc(
  tag: string,
  summary: string,
  responses: Record<number, string>,
  extra: { security?: Array<Record<string, string[]>>; description?: string } = {},
): FastifySchema {
  return {
    summary,
    tags: [tag],
    ...extra,
    response: Object.fromEntries(
      Object.entries(responses).map(([status, description]) => [status, { description }]),
    ),
  } as FastifySchema;
}

/** Who may call what, named in `doc(…, { security })`. */
export const SECURITY = {
  admin: [{ adminBasic: [] }],
  resource: [{ resourceBasic: [] }],
  bearer: [{ bearer: [] }],
} as const satisfies Record<string, Array<Record<string, string[]>>>;
