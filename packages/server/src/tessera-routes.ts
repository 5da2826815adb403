import cookie from "@fastify/cookie";
import cors from "@fastify/cors";
import { type Clock, systemClock, type Tessera } from "@tessera/core";
import type { FastifyInstance } from "fastify";
import { parseRateLimit, type RateLimitRule } from "./config/duration.js";
import { isStrongSecret, SECRET_RULE } from "./config/resource-secrets.js";
import { createServerDpop } from "./dpop/server-dpop.js";
import { corsOptions, helmetOptions, installHooks } from "./http/api-hooks.js";
import { installErrorHandling } from "./http/error-handler.js";
import { createMetrics } from "./http/metrics.js";
import { refuseMalformedPreflight } from "./http/preflight.js";
import { createRateLimits } from "./http/rate-limits.js";
import { trackRouteMethods } from "./http/route-methods.js";
import { installSecurityHeaders, staticSecurityHeaders } from "./http/security-headers.js";
import { memoryWindowCounter } from "./http/window-counter.js";
import type { RouteContext } from "./routes/route-context.js";
import { BODY_LIMIT, tokenRoutes } from "./routes/token-routes.js";

type Limit = `${number}/${string}` | "off";

export interface TesseraRoutesOptions {
  /** Core's `createTessera(…)`; its `issuer` must be the public URL of the mount point. */
  tessera: Tessera;
  /** Pages on other origins allowed to call (credentialed CORS, and as `Origin`); the issuer's own origin always is. */
  origins?: readonly string[];
  /** Resource-server credentials for `/oauth/introspect` and `/oauth/revocations` (none: both 401). */
  resourceSecrets?: ReadonlyArray<{ id: string; secret: string }>;
  /** The server's limits, in its notation (`"10/15m"`, `"off"`); counted in this process's memory. */
  rateLimits?: { ip?: Limit; login?: Limit; credentials?: Limit; mail?: Limit; mailIp?: Limit };
  /** The clock the refresh cookie's lifetime is computed on (that of `createTessera`). */
  clock?: Clock;
}

const DEFAULT_LIMITS = {
  ip: "300/1m",
  login: "10/15m",
  credentials: "20/15m",
  mail: "5/1h",
  mailIp: "50/1h",
};

function limitOf(name: string, text: string): RateLimitRule | null {
  const rule = parseRateLimit(text);
  if (rule === undefined)
    throw new TypeError(`tesseraRoutes: rateLimits.${name} must be <count>/<duration> or off`);
  return rule;
}

/** The mount prefix must be the path of the issuer, so every URL the server names is where it serves. */
function checkIssuer(issuer: string, prefix: string): void {
  const path = new URL(issuer).pathname.replace(/\/+$/, "");
  if (!path.endsWith(prefix)) {
    throw new TypeError(
      `tesseraRoutes: the issuer ${issuer} must end with the mount prefix "${prefix}" (e.g. https://app.example${prefix || ""})`,
    );
  }
}

/**
 * The token-mode routes of the server (`/auth/*`, `/oauth/*`, `/.well-known/*`) as a Fastify
 * plugin for an existing app, mounted under Fastify's own `prefix`:
 * `await app.register(tesseraRoutes, { tessera, prefix: "/auth-api" })`. The same route
 * registration as `tessera serve`, with its JSON errors (404/405 under the prefix too), security
 * headers, per-IP and failed-login limits, Origin rule and CORS for `origins`, all encapsulated:
 * the app's other routes are untouched. The refresh cookie's `Path` is `<prefix>/auth`. The
 * issuer must be the public URL of the mount point (`https://app.example/auth-api`): the
 * metadata, JWKS and DPoP URLs are that URL plus the route. Not served here: `/admin/*`,
 * `/healthz`, `/readyz`, `/metrics`, `/openapi.json`.
 *
 * @example
 * const tessera = await createTessera({ store, masterKey, issuer: "https://app.example/auth-api", audience: "tessera" });
 * await app.register(tesseraRoutes, { tessera, prefix: "/auth-api" });
 */
export async function tesseraRoutes(app: FastifyInstance, options: TesseraRoutesOptions): Promise<void> {
  const { tessera } = options;
  const { issuer } = tessera.options;
  checkIssuer(issuer, app.prefix);
  const limits = { ...DEFAULT_LIMITS, ...options.rateLimits };
  for (const { id, secret } of options.resourceSecrets ?? []) {
    if (!isStrongSecret(secret))
      throw new TypeError(`tesseraRoutes: resourceSecrets ${id}: expected a ${SECRET_RULE}`);
  }
  const clock = options.clock ?? systemClock;

  // Before any plugin adds a route: a plugin's routes keep the error handler of the moment they
  // were added (the CORS preflight route answered Fastify's own error JSON otherwise).
  installErrorHandling(app, trackRouteMethods(app));
  if (!app.hasReplyDecorator("setCookie")) await app.register(cookie);
  installSecurityHeaders(app, await staticSecurityHeaders(helmetOptions(false)));
  refuseMalformedPreflight(app);
  if (options.origins?.length) await app.register(cors, corsOptions(options.origins));
  app.addHook("onRoute", (route) => {
    route.bodyLimit ??= BODY_LIMIT;
  });

  const ctx: RouteContext = {
    tessera,
    store: tessera.store,
    config: {
      issuer,
      signingAlg: tessera.options.signingAlg,
      resourceSecrets: [...(options.resourceSecrets ?? [])],
      adminSecrets: [],
      mail: {
        emailVerification: tessera.options.emailVerification,
        passwordReset: tessera.options.passwordReset,
      },
    },
    limits: createRateLimits(
      app,
      {
        ip: limitOf("ip", limits.ip),
        login: limitOf("login", limits.login),
        credentials: limitOf("credentials", limits.credentials),
        mail: limitOf("mail", limits.mail),
        mailIp: limitOf("mailIp", limits.mailIp),
      },
      memoryWindowCounter(),
    ),
    metrics: createMetrics({ processMetrics: false }),
    allowedOrigins: new Set([...(options.origins ?? []), new URL(issuer).origin]),
    now: () => clock.now(),
    dpop: createServerDpop({
      issuer,
      store: tessera.store,
      redis: null,
      clock,
      masterKey: () => {
        throw new Error("DPoP nonces are not offered by tesseraRoutes");
      },
      options: { requireNonce: false },
    }),
  };
  installHooks(app, ctx, () => {});
  await tokenRoutes(app, ctx);
}
