import swagger from "@fastify/swagger";
import type { FastifyInstance, FastifySchema } from "fastify";

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

/**
 * Collects every route registered after it into an OpenAPI 3.1 document (`@fastify/swagger`, from
 * the routes' own schemas) and serves it at `GET /openapi.json`. Register it before the routes.
 *
 * @example
 * await registerOpenApi(app, config.issuer);
 */
export async function registerOpenApi(app: FastifyInstance, issuer: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Tessera",
        version: "0.1.0",
        description: "Self-hosted authentication token service: JWT access tokens, rotating refresh tokens.",
      },
      servers: [{ url: issuer }],
      components: {
        securitySchemes: {
          adminBasic: { type: "http", scheme: "basic", description: "TESSERA_ADMIN_SECRETS" },
          resourceBasic: { type: "http", scheme: "basic", description: "TESSERA_RESOURCE_SECRETS" },
          bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
        },
      },
    },
  });
  app.get(
    "/openapi.json",
    { schema: doc("meta", "This OpenAPI document", { 200: "The OpenAPI 3.1 document of the HTTP API" }) },
    async (_request, reply) => reply.header("cache-control", "no-cache").send(app.swagger()),
  );
}
