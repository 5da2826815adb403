import { createHash } from "node:crypto";
import { isTesseraError } from "@tessera/core";
import type { FastifyInstance } from "fastify";
import { jsonObject, stringField } from "../http/body-fields.js";
import { HttpError } from "../http/http-error.js";
import { authenticateResource } from "../http/resource-auth.js";
import { noStore } from "../http/token-body.js";
import type { RouteContext } from "./route-context.js";

const MAX_TOKEN = 8192;
const MAX_CURSOR = 256;

/**
 * Resource-server endpoints behind HTTP Basic `TESSERA_RESOURCE_SECRETS`:
 * RFC 7662 `POST /oauth/introspect` (form `token=`) → `{active, …claims}`, and the revocation
 * feed `GET /oauth/revocations?since=<cursor>` with an `ETag`, so an idle poll is a 304.
 */
export function resourceServerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post("/oauth/introspect", async (request, reply) => {
    noStore(reply);
    await authenticateResource(request, ctx.config.resourceSecrets, ctx.limits.credentials);
    const token = stringField(jsonObject(request.body ?? {}), "token", Number.MAX_SAFE_INTEGER);
    if (token.length > MAX_TOKEN) return reply.send({ active: false });
    try {
      return reply.send(await ctx.tessera.introspect(token));
    } catch (error) {
      if (!isTesseraError(error) || error.code === "store_unavailable") throw error;
      return reply.send({ active: false });
    }
  });

  app.get<{ Querystring: Record<string, unknown> }>("/oauth/revocations", async (request, reply) => {
    await authenticateResource(request, ctx.config.resourceSecrets, ctx.limits.credentials);
    const since = request.query.since;
    if (since !== undefined && (typeof since !== "string" || since.length > MAX_CURSOR)) {
      throw new HttpError("invalid_request");
    }
    let feed: Awaited<ReturnType<typeof ctx.tessera.revocationFeed>>;
    try {
      feed = await ctx.tessera.revocationFeed(since === "" ? undefined : since);
    } catch (error) {
      if (isTesseraError(error, "invalid_input")) throw new HttpError("invalid_request");
      throw error;
    }
    const body = JSON.stringify(feed);
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
    reply.header("cache-control", "private, no-cache").header("etag", etag);
    if (matchesEtag(request.headers["if-none-match"], etag)) return reply.code(304).send();
    return reply.type("application/json; charset=utf-8").send(body);
  });
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === etag || tag === "*");
}
