import type { FastifyCorsOptions } from "@fastify/cors";
import type { FastifyInstance } from "fastify";
import type { RouteContext } from "../routes/route-context.js";
import { HttpError } from "./http-error.js";
import type { RequestLine } from "./logging.js";

const QUERY_TOKEN_PARAMS = ["access_token", "refresh_token", "token", "id_token", "csrf_token", "ticket"];

/**
 * The security headers of every answer (helmet's, computed once): nothing may frame, embed or
 * refer; HSTS only when `hsts` (the server in production).
 *
 * @example
 * installSecurityHeaders(app, await staticSecurityHeaders(helmetOptions(config.production)));
 */
export function helmetOptions(hsts: boolean) {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
      },
    },
    frameguard: { action: "deny" as const },
    referrerPolicy: { policy: "no-referrer" as const },
    // A JSON API is read through CORS, never embedded: no other site may load it as a resource.
    crossOriginResourcePolicy: { policy: "same-origin" as const },
    hsts: hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  };
}

/**
 * Credentialed CORS for the allowed origins (the pages that call the API from elsewhere).
 *
 * @example
 * await app.register(cors, corsOptions(config.allowedOrigins));
 */
export function corsOptions(origins: readonly string[]): FastifyCorsOptions {
  return {
    origin: (origin, callback) => callback(null, origin !== undefined && origins.includes(origin)),
    credentials: true,
    methods: ["GET", "POST", "DELETE"],
    allowedHeaders: ["Content-Type", "Authorization", "X-CSRF-Token", "DPoP"],
    exposedHeaders: ["Retry-After", "WWW-Authenticate", "DPoP-Nonce"],
    maxAge: 600,
  };
}

/**
 * The hooks around every API request: tokens in a query string refused, the per-IP limit (the
 * `/auth`+`/oauth` budget apart, judged on the route under its mount prefix), `no-store` by
 * default, `Connection: close` while closing, and the metrics and request line of each answer.
 *
 * @example
 * installHooks(app, ctx, loggers.requestLine);
 */
export function installHooks(
  app: FastifyInstance,
  ctx: RouteContext,
  requestLine: (line: RequestLine) => void,
): void {
  app.addHook("onRequest", async (request) => {
    // Tokens in URLs end up in logs, proxies and browser history: never accept them there.
    const query = request.query as Record<string, unknown> | undefined;
    if (query && QUERY_TOKEN_PARAMS.some((name) => Object.hasOwn(query, name))) {
      throw new HttpError("invalid_request");
    }
    // Every request is counted per IP; /auth and /oauth apart from the rest (health probes and
    // JWKS fetches do not spend a client's auth budget). The matched route, not the raw URL:
    // "/%61uth/login" routes to /auth/login too.
    const route = (request.routeOptions.url ?? "").slice(request.server.prefix.length);
    await ctx.limits.perIp?.(request, route.startsWith("/auth/") || route.startsWith("/oauth/"));
  });

  // While shutting down, answers still in flight end their keep-alive connection, so the server
  // can close as soon as they are done instead of waiting out idle keep-alive timeouts.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });

  app.addHook("onSend", async (_request, reply, payload) => {
    if (!reply.hasHeader("cache-control")) {
      reply.header("cache-control", "no-store").header("pragma", "no-cache");
    }
    if (closing) reply.header("connection", "close");
    return payload;
  });

  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    const seconds = reply.elapsedTime / 1000;
    ctx.metrics.requestDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      seconds,
    );
    requestLine({
      reqId: request.id,
      method: request.method,
      path: route === "unmatched" ? redactTokenSegments(request.url) : (request.url.split("?")[0] ?? ""),
      route,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    });
  });
}

// A path segment that could be a credential: 20 or more characters of the base64url/JWT alphabet.
const TOKEN_SEGMENT = /^[A-Za-z0-9_.~%-]{20,}$/;

/**
 * The path of a request no route matched, for the log: without the query, and every segment that
 * could be a token (a client that put one in a path of its own making) replaced by `…`.
 *
 * @example
 * redactTokenSegments("/reset/eyJhbGciOi…?x=1"); // "/reset/…"
 */
export function redactTokenSegments(url: string): string {
  const path = url.split("?")[0] ?? "";
  return path
    .split("/")
    .map((segment) => (TOKEN_SEGMENT.test(segment) ? "…" : segment))
    .join("/");
}
