import type { Tessera } from "@tessera/core";
import type { Redis } from "ioredis";
import { parseDuration, parseRateLimit, type RateLimitRule } from "../config/duration.js";
import { memoryWindowCounter, redisWindowCounter, type WindowCounter } from "../http/window-counter.js";

/** Options of `sessionAuth` (Fastify) and `expressSessionAuth` (Express). */
export interface SessionAuthOptions {
  /** Core's `createTessera(...)` instance. */
  tessera: Tessera;
  /** The app's own origins (`https://app.example`): the only `Origin`s an unsafe request may have. */
  origins: readonly string[];
  /** Idle lifetime of new sessions: milliseconds or a duration (`30m`, `12h`). Default `12h`. */
  idleTimeout?: number | string;
  /** Default `/login`. */
  loginPath?: string;
  /** Default `/logout`. */
  logoutPath?: string;
  /**
   * Failed logins per account and client IP, as `TESSERA_RATE_LIMIT_LOGIN` (`10/15m`, the
   * default, or `off`); counted in Redis — shared by every instance — when `redis` is given.
   */
  limits?: { login?: string; redis?: Redis };
}

export interface ResolvedSessionAuth {
  tessera: Tessera;
  origins: ReadonlySet<string>;
  idleTimeoutMs: number;
  loginPath: string;
  logoutPath: string;
  loginLimit: RateLimitRule | null;
  counter: WindowCounter;
}

const PATH = /^\/[A-Za-z0-9/_.~-]*$/;

/**
 * Checks the options once, at registration (`TypeError` naming the option).
 *
 * @example
 * const resolved = resolveSessionAuth({ tessera, origins: ["https://app.example"] });
 */
export function resolveSessionAuth(options: SessionAuthOptions): ResolvedSessionAuth {
  const fail = (message: string): never => {
    throw new TypeError(`sessionAuth: ${message}`);
  };
  if (typeof options?.tessera?.sessions?.validate !== "function")
    fail("`tessera` must be createTessera(...)'s instance");
  const origins = Array.isArray(options.origins) ? options.origins : fail("`origins` is required");
  for (const origin of origins) {
    if (typeof origin !== "string" || !/^https?:\/\/[^/\s]+$/.test(origin)) {
      fail("`origins` must be origins like https://app.example (scheme and host, no path)");
    }
  }
  if (origins.length === 0) fail("`origins` must name at least one origin");
  const idle = options.idleTimeout ?? "12h";
  const idleTimeoutMs = typeof idle === "number" ? idle : parseDuration(idle);
  if (idleTimeoutMs === null || !Number.isSafeInteger(idleTimeoutMs) || idleTimeoutMs < 1000) {
    fail("`idleTimeout` must be a duration of at least 1s");
  }
  const loginPath = options.loginPath ?? "/login";
  const logoutPath = options.logoutPath ?? "/logout";
  for (const path of [loginPath, logoutPath])
    if (!PATH.test(path)) fail("`loginPath`/`logoutPath` must be paths");
  const loginLimit = parseRateLimit(options.limits?.login ?? "10/15m");
  if (loginLimit === undefined) fail("`limits.login` must be like 10/15m, or off");
  const redis = options.limits?.redis;
  return {
    tessera: options.tessera,
    origins: new Set(origins),
    idleTimeoutMs: idleTimeoutMs as number,
    loginPath,
    logoutPath,
    loginLimit: loginLimit ? { ...loginLimit, failClosed: true } : null,
    counter: redis ? redisWindowCounter(redis) : memoryWindowCounter(),
  };
}
