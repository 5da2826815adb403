import { readFileSync } from "node:fs";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import cookie from "@fastify/cookie";
import cors from "@fastify/cors";
import {
  type Clock,
  createTessera,
  type PasswordHasher,
  type Store,
  systemClock,
  type Tessera,
} from "@tessera/core";
import { startRevocationRelay } from "@tessera/store-redis";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import type { DestinationStream } from "pino";
import type { Registry } from "prom-client";
import { resolveMasterKey } from "./config/resolve-master-key.js";
import type { ServerConfig, TrustProxy } from "./config/server-config.js";
import { tesseraOptions } from "./config/tessera-options.js";
import { createServerDpop, type DpopOptions } from "./dpop/server-dpop.js";
import { corsOptions, helmetOptions, installHooks } from "./http/api-hooks.js";
import { limitConnections } from "./http/connection-limits.js";
import { classifyError, installErrorHandling, sendError } from "./http/error-handler.js";
import { ERROR_TABLE } from "./http/error-table.js";
import { createLoggers } from "./http/logging.js";
import { createMetrics } from "./http/metrics.js";
import { registerOpenApi } from "./http/openapi.js";
import { refuseMalformedPreflight } from "./http/preflight.js";
import { createRateLimits } from "./http/rate-limits.js";
import { trackRouteMethods } from "./http/route-methods.js";
import { installSecurityHeaders, staticSecurityHeaders } from "./http/security-headers.js";
import { installShutdownGate } from "./http/shutdown.js";
import { memoryWindowCounter, redisWindowCounter, type WindowCounter } from "./http/window-counter.js";
import { createMailer } from "./mail/create-mailer.js";
import type { ServerMailer } from "./mail/smtp-mailer.js";
import { openRedis } from "./open-redis.js";
import { openStore } from "./open-store.js";
import { schedulePurge } from "./purge-schedule.js";
import { withRevocationPublishing } from "./revocation-publisher.js";
import { warnUndefinedRoles } from "./roles-warning.js";
import { adminRoutes } from "./routes/admin/index.js";
import { healthRoutes } from "./routes/health.js";
import type { RouteContext } from "./routes/route-context.js";
import { BODY_LIMIT, tokenRoutes } from "./routes/token-routes.js";

export interface BuildServerOptions {
  config: ServerConfig;
  /** A ready token service; by default one is created over `store` from `config` (and, with Redis configured, it pushes revocations there). */
  tessera?: Tessera;
  /** A migrated store; by default `config.database` is opened (and closed with the server). */
  store?: Store;
  /** Only when `tessera` is not given. Tests pass a cheap hasher; the default is argon2id. */
  passwordHasher?: PasswordHasher;
  /** Only when `tessera` is not given; also times cookie lifetimes. */
  clock?: Clock;
  /** `false` for silence; else pino level and destination (default: `config.logLevel`, stdout). */
  logger?: false | { level?: string; stream?: DestinationStream };
  /** Node process metrics on `/metrics` (default true). */
  processMetrics?: boolean;
  /** DPoP (RFC 9449) settings; proofs are always accepted, nonces only demanded when asked. */
  dpop?: DpopOptions;
  /** Only when `tessera` is not given: SMTP retry waits (default 2 s, 10 s, 60 s). */
  mailRetryDelaysMs?: readonly number[];
  /**
   * Where rate limits count when Redis is not configured, and while it is away: by default this
   * process's memory; a cluster worker passes the primary's counter (`tessera serve --workers`).
   */
  windowCounter?: WindowCounter;
  /** What `/metrics` answers, given this server's registry; a cluster worker passes the machine's sum. */
  metricsExposition?: (registry: Registry) => () => Promise<string>;
  /** Delete expired rows every `config.purgeIntervalMs` (default true; of `--workers`, one worker). */
  housekeeping?: boolean;
}

/**
 * Builds the Fastify auth server: every endpoint of the HTTP contract, security headers,
 * credentialed CORS for the allowed origins, rate limits, JSON errors, metrics, and a periodic
 * purge. It does not listen and does not migrate: `tessera serve` does both. What it opened itself
 * (store, token service, Redis client) it closes on `app.close()`.
 *
 * @example
 * const app = await buildServer({ config: loadConfig(process.env) });
 * await app.listen({ host: "127.0.0.1", port: 3000 });
 */
export async function buildServer(options: BuildServerOptions): Promise<FastifyInstance> {
  const { config } = options;
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const store = options.store ?? openStore(config.database);
    if (!options.store) cleanups.push(() => store.close());
    // Redis (optional) holds the shared rate-limit counters and carries revocation notices.
    const redis = config.redisUrl ? await openRedis(config.redisUrl) : null;
    if (redis) cleanups.push(() => redis.quit());
    const loggers =
      options.logger === false
        ? null
        : createLoggers(options.logger?.level ?? config.logLevel, options.logger?.stream);
    const app = createFastify(config, loggers?.logger ?? false);
    limitConnections(app.server, { max: config.maxConnections, perIp: config.maxConnectionsPerIp });
    const coreStore = redis
      ? withRevocationPublishing(store, redis, (error) =>
          app.log.warn({ err: error }, "revocation not pushed to Redis"),
        )
      : store;
    if (redis) {
      // Catches up on revocations whose direct push was lost (Redis away, a crash in between).
      const relay = startRevocationRelay({
        store,
        redis,
        onError: throttled(app, "revocation relay pass failed"),
      });
      cleanups.push(async () => relay.close());
    }
    const clock = options.clock ?? systemClock;
    const mailer = createMailer(config, app, clock, options.mailRetryDelaysMs);
    cleanups.push(() => mailer.close());
    const tessera =
      options.tessera ?? (await createOwnTessera(config, coreStore, clock, options.passwordHasher, mailer));
    if (!options.tessera) cleanups.push(() => tessera.close());
    await warnUndefinedRoles(tessera, (line) => app.log.warn(line)).catch(() => {});

    app.addHook("onClose", async () => {
      clearInterval(purgeTimer);
      for (const cleanup of cleanups.reverse()) {
        await cleanup().catch((error: unknown) => app.log.error({ err: error }, "close failed"));
      }
    });
    const purgeTimer =
      options.housekeeping === false ? undefined : schedulePurge(app, tessera, config.purgeIntervalMs);

    // Before any plugin adds a route: a plugin's routes keep the error handler of the moment they
    // were added (the CORS preflight route answered Fastify's own error JSON otherwise).
    installErrorHandling(app, trackRouteMethods(app));
    await app.register(cookie);
    // helmet's headers are static here: computed once, set by one hook (helmet rebuilt them per request).
    installSecurityHeaders(app, await staticSecurityHeaders(helmetOptions(config.production)));
    const allowedOrigins = new Set([...config.allowedOrigins, new URL(config.issuer).origin]);
    refuseMalformedPreflight(app);
    await app.register(cors, corsOptions(config.allowedOrigins));

    const metrics = createMetrics({
      processMetrics: options.processMetrics ?? true,
      ...(options.metricsExposition ? { exposition: options.metricsExposition } : {}),
    });
    const ctx: RouteContext = {
      tessera,
      store,
      config,
      limits: createRateLimits(
        app,
        {
          ip: config.rateLimitIp,
          login: config.rateLimitLogin,
          credentials: config.rateLimitCredentials,
          mail: config.mail.rateLimitMail,
          mailIp: config.mail.rateLimitMailIp,
        },
        redis
          ? redisWindowCounter(redis, {
              onError: throttled(app, "Redis rate-limit counters unavailable; counting locally"),
              ...(options.windowCounter ? { fallback: options.windowCounter } : {}),
            })
          : (options.windowCounter ?? memoryWindowCounter()),
      ),
      metrics,
      allowedOrigins,
      now: () => clock.now(),
      dpop: createServerDpop({
        issuer: config.issuer,
        store,
        redis,
        clock,
        masterKey: () => resolveMasterKey(config).key,
        options: options.dpop ?? { requireNonce: config.dpopNonce },
      }),
    };

    // First: a request refused while shutting down runs no other hook.
    installShutdownGate(app);
    installHooks(app, ctx, loggers?.requestLine ?? (() => {}));
    await registerOpenApi(app, config.issuer);

    await tokenRoutes(app, ctx);
    await adminRoutes(app, ctx);
    healthRoutes(app, ctx);
    return app;
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    throw error;
  }
}

/** A warning logger for background failures that repeat while a dependency is down: one line a minute. */
function throttled(app: FastifyInstance, message: string): (error: unknown) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (error) => {
    if (Date.now() - last < 60_000) return;
    last = Date.now();
    // Only the error code: a driver message may quote connection details.
    app.log.warn({ code: (error as { code?: unknown } | null)?.code ?? "error" }, message);
  };
}

async function createOwnTessera(
  config: ServerConfig,
  store: Store,
  clock: Clock,
  passwordHasher: PasswordHasher | undefined,
  mailer: ServerMailer,
): Promise<Tessera> {
  return createTessera({
    ...tesseraOptions(config),
    store,
    masterKey: resolveMasterKey(config).key,
    clock,
    mailer,
    ...(passwordHasher ? { passwordHasher } : {}),
  });
}

function createFastify(config: ServerConfig, logger: FastifyBaseLogger | false): FastifyInstance {
  const common = {
    ...(logger === false ? { logger: false } : { loggerInstance: logger }),
    // One line per request is written by our own onResponse hook, with a chosen set of fields.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit: BODY_LIMIT,
    // A request (headers and body) must arrive within requestTimeout, counted from the first byte
    // awaited, so a socket that never sends one is closed too; an idle keep-alive connection goes
    // after keepAliveTimeout. Node checks the deadline every connectionsCheckingInterval (30 s by
    // default): a quarter of the timeout here. The inactivity timeout is only a backstop (a
    // response never read): it must not cut a slow handler, whose socket is quiet meanwhile.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: Math.max(60_000, 2 * config.requestTimeoutMs),
    keepAliveTimeout: config.keepAliveTimeoutMs,
    http: {
      // Node checks headersTimeout ≤ requestTimeout when the server is created.
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(25, Math.floor(config.requestTimeoutMs / 4)),
    },
    routerOptions: { maxParamLength: 200 },
    // A request that reaches the router while closing is served (the store closes only after the
    // last connection), instead of Fastify's own 503 body, which is not the documented JSON.
    return503OnClosing: false,
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      sendError(request, reply, classifyError(error).code);
    },
    clientErrorHandler: answerClientError,
  };
  if (!config.tls) return Fastify(common);
  const https = {
    ...common.http,
    cert: readFileSync(config.tls.certPath),
    key: readFileSync(config.tls.keyPath),
  };
  // The https overload types the instance for https.Server; routes only use the common surface.
  return Fastify({ ...common, https }) as unknown as FastifyInstance;
}

/**
 * Requests Node's HTTP parser rejects (smuggling-shaped framing, oversized header block) never
 * reach Fastify's handlers; they still get the documented JSON, then the connection is closed.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
  const body = JSON.stringify({ error: "invalid_request", message: ERROR_TABLE.invalid_request.message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n` +
      `${RAW_SECURITY_HEADERS}\r\n${body}`,
  );
}

function trustProxyOption(
  trust: TrustProxy,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  // A hop count trusts that many proxies nearest to us (proxy-addr counts hops from the socket).
  if (typeof trust === "number") return (_address: string, hop: number) => hop < trust;
  return trust;
}

/** The headers helmet sets, for answers written straight to the socket (no HSTS: no TLS state there). */
const RAW_SECURITY_HEADERS = [
  "X-Content-Type-Options: nosniff",
  "X-Frame-Options: DENY",
  "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "Referrer-Policy: no-referrer",
  "Cross-Origin-Resource-Policy: same-origin",
]
  .map((line) => `${line}\r\n`)
  .join("");
