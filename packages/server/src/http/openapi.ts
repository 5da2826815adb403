import swagger from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import { doc } from "./openapi-doc.js";
import { ROUTE_DOCS } from "./route-docs.js";

/**
 * Collects every route registered after it into an OpenAPI 3.1 document (`@fastify/swagger`, from
 * the routes' own schemas) and serves it at `GET /openapi.json`. A route registered without a
 * schema gets its entry of `ROUTE_DOCS` as its schema. Register it before the routes.
 *
 * @example
 * await registerOpenApi(app, config.issuer);
 */
export async function registerOpenApi(app: FastifyInstance, issuer: string): Promise<void> {
  app.addHook("onRoute", (route) => {
    if (route.schema !== undefined) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const entry = ROUTE_DOCS[`${methods[0]} ${route.url}`];
    if (entry !== undefined) route.schema = entry;
  });
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
