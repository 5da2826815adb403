import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { z } from "zod";
import { commaList } from "./comma-list.js";
import { ConfigError } from "./config-error.js";
import { parseDuration, parseRateLimit } from "./duration.js";
import { checkMailInProduction, loadMailConfig } from "./mail-config.js";
import { parseMasterKey } from "./master-key.js";
import { parseResourceSecrets, SECRET_RULE } from "./resource-secrets.js";
import { readRolesFile } from "./roles-file.js";
import { checkReadableFile, type Environment, readSecret, SECRET_VARIABLES } from "./secrets.js";
import type { DatabaseConfig, ServerConfig } from "./server-config.js";
import { parseTrustProxy } from "./trust-proxy.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Zod string → value with a custom check; the issue message becomes the "why" of the one-line error. */
function parsed<T>(parse: (text: string) => T | undefined, expected: string) {
  return z.string().transform((text, ctx) => {
    const value = parse(text.trim());
    if (value === undefined) {
      ctx.addIssue({ code: "custom", message: expected });
      return z.NEVER;
    }
    return value;
  });
}

const duration = (fallback: string) =>
  parsed((t) => parseDuration(t) ?? undefined, "expected a duration such as 30s, 15m, 7d").default(
    parseDuration(fallback) ?? 0,
  );

const bounded = (fallback: string, min: number, max: number, range: string) =>
  duration(fallback).refine((ms) => ms >= min && ms <= max, `must be ${range}`);

const positiveCount = (t: string) => (/^[1-9]\d{0,6}$/.test(t) ? Number(t) : undefined);

function parseDatabaseUrl(text: string): DatabaseConfig | undefined {
  if (text.startsWith("sqlite:")) {
    const path = text.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    return path === "" ? undefined : { kind: "sqlite", path };
  }
  if (/^postgres(ql)?:\/\//.test(text)) return { kind: "postgres", connectionString: text };
  return undefined;
}

function parseOrigin(text: string): string | undefined {
  try {
    const url = new URL(text);
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    return url.origin === text.replace(/\/$/, "") ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

const schema = z.object({
  NODE_ENV: z.string().optional(),
  PORT: parsed(
    (t) => (/^\d{1,5}$/.test(t) && Number(t) <= 65535 ? Number(t) : undefined),
    "expected a port 0–65535",
  ).default(3000),
  HOST: z.string().trim().min(1, "must not be empty").default("127.0.0.1"),
  TESSERA_DATABASE_URL: parsed(
    parseDatabaseUrl,
    "expected sqlite:<path>, sqlite::memory: or postgres://…",
  ).default({ kind: "sqlite", path: "./data/tessera.db" }),
  TESSERA_SQLITE_SYNCHRONOUS: z.enum(["normal", "full"], "expected normal or full").default("normal"),
  TESSERA_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "expected redis://… or rediss://…")
    .optional(),
  TESSERA_ISSUER: z
    .string()
    .refine(
      (t) => /^https?:\/\/[^?#]+$/.test(t) && URL.canParse(t),
      "must be an absolute http(s) URL without query or fragment",
    )
    .optional(),
  TESSERA_AUDIENCE: parsed((t) => {
    const list = commaList(t);
    return list.length === 0 ? undefined : list.length === 1 ? list[0] : list;
  }, "expected one audience or a comma list").default("tessera"),
  TESSERA_ACCESS_TOKEN_TTL: duration("15m"),
  TESSERA_REFRESH_TTL: duration("7d"),
  TESSERA_SESSION_MAX_AGE: duration("30d"),
  TESSERA_REFRESH_GRACE: duration("10s"),
  TESSERA_SIGNING_ALG: z
    .enum(["EdDSA", "ES256", "RS256", "HS256"], "expected EdDSA, ES256, RS256 or HS256")
    .default("EdDSA"),
  TESSERA_ALLOWED_ORIGINS: parsed((t) => {
    const list = commaList(t).map(parseOrigin);
    return list.every((o) => o !== undefined) ? (list as string[]) : undefined;
  }, "expected a comma list of origins such as https://app.example.com (no path, no *)").default([]),
  TESSERA_REGISTRATION: z.enum(["open", "closed"], "expected open or closed").default("open"),
  TESSERA_RATE_LIMIT_LOGIN: parsed(
    parseRateLimit,
    "expected <count>/<duration> (e.g. 10/15m) or off",
  ).default({
    max: 10,
    windowMs: 15 * MINUTE,
  }),
  TESSERA_RATE_LIMIT_IP: parsed(parseRateLimit, "expected <count>/<duration> (e.g. 300/1m) or off").default({
    max: 300,
    windowMs: MINUTE,
  }),
  TESSERA_RATE_LIMIT_CREDENTIALS: parsed(
    parseRateLimit,
    "expected <count>/<duration> (e.g. 20/15m) or off",
  ).default({
    max: 20,
    windowMs: 15 * MINUTE,
  }),
  TESSERA_REQUEST_TIMEOUT: bounded("10s", 100, 10 * MINUTE, "between 100ms and 10m"),
  TESSERA_KEEP_ALIVE_TIMEOUT: bounded("5s", 100, 10 * MINUTE, "between 100ms and 10m"),
  TESSERA_SHUTDOWN_DRAIN: bounded("0s", 0, 10 * MINUTE, "between 0s and 10m"),
  TESSERA_MAX_CONNECTIONS: parsed(positiveCount, "expected a whole number of connections ≥ 1").default(800),
  TESSERA_MAX_CONNECTIONS_PER_IP: parsed(
    (t) => (t === "off" ? null : positiveCount(t)),
    "expected a whole number of connections ≥ 1, or off",
  ).optional(),
  TESSERA_TRUST_PROXY: parsed(
    parseTrustProxy,
    "expected a hop count (1) or a comma list of proxy addresses/CIDRs (10.0.0.0/8, loopback)",
  ).default(false),
  TESSERA_MASTER_KEY: parsed(
    (t) => parseMasterKey(t) ?? undefined,
    "expected 32 bytes as hex (64 digits), base64 or base64url",
  ).optional(),
  TESSERA_TLS_CERT: z.string().min(1).optional(),
  TESSERA_TLS_KEY: z.string().min(1).optional(),
  TESSERA_RESOURCE_SECRETS: parsed(
    parseResourceSecrets,
    `expected a comma list of id:secret (id of [A-Za-z0-9._-], ${SECRET_RULE})`,
  ).default([]),
  TESSERA_ADMIN_SECRETS: parsed(
    parseResourceSecrets,
    `expected a comma list of id:secret (id of [A-Za-z0-9._-], ${SECRET_RULE})`,
  ).default([]),
  TESSERA_REFRESH_CONTEXT: z
    .enum(["audit", "strict", "off"], "expected audit, strict or off")
    .default("audit"),
  TESSERA_AUDIT_RETENTION: duration("90d").refine(
    (ms) => ms >= DAY,
    "must be at least 1d (an audit trail that is gone the next day is no trail)",
  ),
  TESSERA_WORKERS: parsed(
    (t) => (t === "auto" ? availableParallelism() : /^[1-9]\d{0,2}$/.test(t) ? Number(t) : undefined),
    "expected a number of worker processes (1–999) or auto",
  ).default(1),
  TESSERA_KEY_RELOAD_INTERVAL: bounded("60s", 1_000, HOUR, "between 1s and 1h"),
  TESSERA_PURGE_INTERVAL: bounded("10m", 1_000, DAY, "between 1s and 1d"),
  TESSERA_DPOP_NONCE: z.enum(["on", "off"], "expected on or off").default("off"),
  TESSERA_LOG_LEVEL: z
    .enum(
      ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
      "expected a pino level (info, warn, …)",
    )
    .default("info"),
});

/**
 * Builds the typed server configuration from the environment (and, when `TESSERA_CONFIG_FILE`
 * names one, a JSON file of the same variable names, which the environment overrides). Every
 * secret setting may come from a `<NAME>_FILE`. Throws a `ConfigError` whose message is one line
 * naming the variable and why; production refusals are checked here too.
 *
 * @example
 * const config = loadConfig(process.env);
 * console.log(config.port, config.issuer);
 */
export function loadConfig(env: Environment): ServerConfig {
  const fromFile = readConfigFile(env.TESSERA_CONFIG_FILE);
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [name, value] of Object.entries(env))
    if (value !== undefined && value !== "") merged[name] = value;

  const production = merged.NODE_ENV === "production";
  const secretInFile = SECRET_VARIABLES.find((name) => fromFile[name] !== undefined);
  if (production && secretInFile !== undefined && env.TESSERA_CONFIG_FILE) {
    // A config file that holds a secret is a secret file: same rule as `_FILE`.
    checkReadableFile("TESSERA_CONFIG_FILE", env.TESSERA_CONFIG_FILE, true);
  }
  for (const name of SECRET_VARIABLES) merged[name] = readSecret(merged, name, production);

  const input = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue?.path[0] ?? "configuration");
    const reason = issue?.code === "invalid_type" ? "has the wrong type" : (issue?.message ?? "is invalid");
    throw new ConfigError(name, reason);
  }
  const v = result.data;
  const issuer = v.TESSERA_ISSUER ?? `http://localhost:${v.PORT}`;

  const config: ServerConfig = {
    production,
    port: v.PORT,
    host: v.HOST,
    database:
      v.TESSERA_DATABASE_URL.kind === "sqlite" && v.TESSERA_SQLITE_SYNCHRONOUS === "full"
        ? { ...v.TESSERA_DATABASE_URL, synchronous: "full" }
        : v.TESSERA_DATABASE_URL,
    redisUrl: v.TESSERA_REDIS_URL ?? null,
    issuer,
    audience: v.TESSERA_AUDIENCE,
    accessTokenTtlMs: v.TESSERA_ACCESS_TOKEN_TTL,
    refreshTtlMs: v.TESSERA_REFRESH_TTL,
    sessionMaxAgeMs: v.TESSERA_SESSION_MAX_AGE,
    refreshGraceMs: v.TESSERA_REFRESH_GRACE,
    signingAlg: v.TESSERA_SIGNING_ALG,
    allowedOrigins: v.TESSERA_ALLOWED_ORIGINS,
    registration: v.TESSERA_REGISTRATION,
    rateLimitLogin: v.TESSERA_RATE_LIMIT_LOGIN,
    rateLimitIp: v.TESSERA_RATE_LIMIT_IP,
    rateLimitCredentials: v.TESSERA_RATE_LIMIT_CREDENTIALS,
    requestTimeoutMs: v.TESSERA_REQUEST_TIMEOUT,
    keepAliveTimeoutMs: v.TESSERA_KEEP_ALIVE_TIMEOUT,
    shutdownDrainMs: v.TESSERA_SHUTDOWN_DRAIN,
    maxConnections: v.TESSERA_MAX_CONNECTIONS,
    // Behind a proxy every connection comes from the proxy: no per-address cap unless asked for.
    maxConnectionsPerIp:
      v.TESSERA_MAX_CONNECTIONS_PER_IP !== undefined
        ? v.TESSERA_MAX_CONNECTIONS_PER_IP
        : v.TESSERA_TRUST_PROXY === false
          ? 100
          : null,
    trustProxy: v.TESSERA_TRUST_PROXY,
    masterKey: v.TESSERA_MASTER_KEY ?? null,
    tls: null,
    resourceSecrets: v.TESSERA_RESOURCE_SECRETS,
    adminSecrets: v.TESSERA_ADMIN_SECRETS,
    refreshContext: v.TESSERA_REFRESH_CONTEXT,
    auditRetentionMs: v.TESSERA_AUDIT_RETENTION,
    logLevel: v.TESSERA_LOG_LEVEL,
    dpopNonce: v.TESSERA_DPOP_NONCE === "on",
    workers: v.TESSERA_WORKERS,
    keyReloadIntervalMs: v.TESSERA_KEY_RELOAD_INTERVAL,
    purgeIntervalMs: v.TESSERA_PURGE_INTERVAL,
    rolePolicy: readRolesFile(merged.TESSERA_ROLES_FILE),
    mail: loadMailConfig(input, issuer),
  };

  if ((v.TESSERA_TLS_CERT === undefined) !== (v.TESSERA_TLS_KEY === undefined)) {
    const missing = v.TESSERA_TLS_CERT === undefined ? "TESSERA_TLS_CERT" : "TESSERA_TLS_KEY";
    throw new ConfigError(missing, "TESSERA_TLS_CERT and TESSERA_TLS_KEY must be set together");
  }
  if (v.TESSERA_TLS_CERT !== undefined && v.TESSERA_TLS_KEY !== undefined) {
    config.tls = { certPath: v.TESSERA_TLS_CERT, keyPath: v.TESSERA_TLS_KEY };
    checkReadableFile("TESSERA_TLS_CERT", v.TESSERA_TLS_CERT, false);
    // The private key is a secret file like any `_FILE`: private to the server's user in production.
    checkReadableFile("TESSERA_TLS_KEY", v.TESSERA_TLS_KEY, production);
  }
  checkLifetimes(config);
  if (config.workers > 1 && config.database.kind === "sqlite" && config.database.path === ":memory:") {
    throw new ConfigError(
      "TESSERA_WORKERS",
      "several workers need a database file or PostgreSQL (each would get its own in-memory database)",
    );
  }
  if (production) checkProduction(config);
  return config;
}

function checkLifetimes(config: ServerConfig): void {
  const ttl = config.accessTokenTtlMs;
  if (config.production && (ttl < MINUTE || ttl > HOUR)) {
    throw new ConfigError("TESSERA_ACCESS_TOKEN_TTL", "must be between 1m and 1h in production");
  }
  if (ttl < 1_000 || ttl > HOUR)
    throw new ConfigError("TESSERA_ACCESS_TOKEN_TTL", "must be between 1s and 1h");
  if (config.refreshTtlMs < ttl) {
    throw new ConfigError("TESSERA_REFRESH_TTL", "must not be shorter than TESSERA_ACCESS_TOKEN_TTL");
  }
  if (config.sessionMaxAgeMs < config.refreshTtlMs) {
    throw new ConfigError("TESSERA_SESSION_MAX_AGE", "must not be shorter than TESSERA_REFRESH_TTL");
  }
  if (config.refreshGraceMs > 5 * MINUTE)
    throw new ConfigError("TESSERA_REFRESH_GRACE", "must be at most 5m");
}

function checkProduction(config: ServerConfig): void {
  if (config.tls === null && config.trustProxy === false) {
    throw new ConfigError(
      "TESSERA_TLS_CERT",
      "production refuses plain HTTP: set TESSERA_TLS_CERT/TESSERA_TLS_KEY or TESSERA_TRUST_PROXY (TLS at the proxy)",
    );
  }
  if (config.masterKey === null) {
    throw new ConfigError(
      "TESSERA_MASTER_KEY",
      "production requires an explicit master key (or TESSERA_MASTER_KEY_FILE)",
    );
  }
  checkMailInProduction(config.mail);
}

function readConfigFile(path: string | undefined): Record<string, string> {
  if (path === undefined || path === "") return {};
  let parsedFile: unknown;
  try {
    parsedFile = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const why = error instanceof SyntaxError ? "is not valid JSON" : "cannot be read";
    throw new ConfigError("TESSERA_CONFIG_FILE", `the file ${why}`);
  }
  if (typeof parsedFile !== "object" || parsedFile === null || Array.isArray(parsedFile)) {
    throw new ConfigError("TESSERA_CONFIG_FILE", "expected a JSON object of variable names to values");
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsedFile)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      out[name] = String(value);
    } else if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
      out[name] = value.join(",");
    } else {
      throw new ConfigError(
        name,
        "in TESSERA_CONFIG_FILE must be a string, number, boolean or list of strings",
      );
    }
  }
  return out;
}
