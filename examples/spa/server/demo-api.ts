import { createServer } from "node:http";
import { getRequestListener } from "@hono/node-server";
import {
  type AccessClaims,
  errorResponse,
  requireRoles,
  type Verifier,
  verifyRequest,
} from "@tessera/verify";
import { Hono } from "hono";
import { cors } from "hono/cors";

type Env = { Variables: { claims: AccessClaims } };

/**
 * The demo resource server (Hono): `GET /api/profile` answers what the verified access token
 * says about its caller; `GET /api/admin` answers only tokens whose `roles` claim holds `admin`
 * (403 `insufficient_scope` otherwise). Tokens are checked by `@tessera/verify` locally (JWKS, claims,
 * revocation feed); the auth server is never called per request.
 *
 * @example
 * const app = createDemoApi({ verifier, pageOrigin: "http://127.0.0.1:5173" });
 * const res = await app.request("/api/profile", { headers: { authorization: `Bearer ${token}` } });
 */
export function createDemoApi(options: { verifier: Verifier; pageOrigin: string }): Hono<Env> {
  const app = new Hono<Env>();
  // A Bearer token, not a cookie, authenticates these calls: CORS without credentials suffices.
  app.use(
    "/api/*",
    cors({
      origin: options.pageOrigin,
      allowMethods: ["GET"],
      allowHeaders: ["Authorization"],
      exposeHeaders: ["WWW-Authenticate"],
      maxAge: 600,
    }),
  );
  app.use("/api/*", async (c, next) => {
    try {
      c.set("claims", await verifyRequest(options.verifier, c.req.raw));
    } catch (error) {
      return errorResponse(error);
    }
    await next();
  });
  app.get("/api/profile", (c) => {
    const claims = c.get("claims");
    return c.json({
      message: "Hello from the demo API: your token checks out.",
      user: claims.sub,
      session: claims.sid,
      issuer: claims.iss,
      issued_at: claims.iat,
      expires_at: claims.exp,
    });
  });
  app.get("/api/admin", (c) => {
    const claims = c.get("claims");
    return (
      requireRoles(claims, "admin") ??
      c.json({
        message: "Admin area: your token carries the admin role.",
        user: claims.sub,
        roles: claims.roles ?? [],
        scope: claims.scope ?? "",
      })
    );
  });
  app.notFound((c) => c.json({ error: "not_found", message: "no such endpoint" }, 404));
  // Never a stack trace: a fault is a plain 500.
  app.onError((_error, c) => c.json({ error: "server_error", message: "internal error" }, 500));
  return app;
}

/**
 * Serves `app` with Node's HTTP server on `host:port` (0 = any free port); resolves to its URL and
 * a `close`.
 *
 * @example
 * const api = await listenHono(createDemoApi({ verifier, pageOrigin }), { host: "127.0.0.1", port: 4000 });
 */
export async function listenHono(
  app: Hono<Env>,
  listen: { host: string; port: number },
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(getRequestListener(app.fetch));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("demo API has no TCP address");
  return {
    url: `http://${listen.host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
