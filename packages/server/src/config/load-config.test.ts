import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configFailure } from "../test-support/config-failure.js";
import { parseDuration, parseRateLimit } from "./duration.js";
import { loadConfig } from "./load-config.js";
import { parseMasterKey } from "./master-key.js";
import { resolveMasterKey } from "./resolve-master-key.js";

const KEY_HEX = "00".repeat(16) + "ff".repeat(16);
const ORDERS_SECRET = "Vq3kP9sLx2mT7wZbR4nH8cJ6fY1dG5aE";
const BILLING_SECRET = "b1lling-S3cret_9QwErTy7UiOp2AsDf";
const dir = mkdtempSync(join(tmpdir(), "tessera-config-"));

const failure = configFailure;

describe("defaults", () => {
  it("match the configuration table of the server README", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      production: false,
      port: 3000,
      host: "127.0.0.1",
      database: { kind: "sqlite", path: "./data/tessera.db" },
      redisUrl: null,
      issuer: "http://localhost:3000",
      audience: "tessera",
      accessTokenTtlMs: 15 * 60_000,
      refreshTtlMs: 7 * 86_400_000,
      sessionMaxAgeMs: 30 * 86_400_000,
      refreshGraceMs: 10_000,
      signingAlg: "EdDSA",
      allowedOrigins: [],
      registration: "open",
      rateLimitLogin: { max: 10, windowMs: 15 * 60_000 },
      rateLimitIp: { max: 300, windowMs: 60_000 },
      rateLimitCredentials: { max: 20, windowMs: 15 * 60_000 },
      requestTimeoutMs: 10_000,
      keepAliveTimeoutMs: 5_000,
      shutdownDrainMs: 0,
      maxConnections: 800,
      maxConnectionsPerIp: 100,
      trustProxy: false,
      masterKey: null,
      tls: null,
      resourceSecrets: [],
      refreshContext: "audit",
    });
    expect(loadConfig({ PORT: "8080" }).issuer).toBe("http://localhost:8080");
  });

  it("parses every variable", () => {
    const c = loadConfig({
      TESSERA_DATABASE_URL: "postgres://u:p@db:5432/tessera",
      TESSERA_REDIS_URL: "redis://cache:6379",
      TESSERA_AUDIENCE: "api, admin",
      TESSERA_ACCESS_TOKEN_TTL: "5m",
      TESSERA_REFRESH_GRACE: "0s",
      TESSERA_ALLOWED_ORIGINS: "https://app.example.com, http://localhost:5173",
      TESSERA_RATE_LIMIT_IP: "off",
      TESSERA_RATE_LIMIT_LOGIN: "5/1h",
      TESSERA_TRUST_PROXY: "10.0.0.0/8, ::1",
      TESSERA_MASTER_KEY: KEY_HEX,
      TESSERA_RESOURCE_SECRETS: `orders:${ORDERS_SECRET},billing:${BILLING_SECRET}`,
      TESSERA_SIGNING_ALG: "ES256",
    });
    expect(c.database).toEqual({ kind: "postgres", connectionString: "postgres://u:p@db:5432/tessera" });
    expect(c.audience).toEqual(["api", "admin"]);
    expect(c.accessTokenTtlMs).toBe(300_000);
    expect(c.refreshGraceMs).toBe(0);
    expect(c.allowedOrigins).toEqual(["https://app.example.com", "http://localhost:5173"]);
    expect(c.rateLimitIp).toBeNull();
    expect(c.rateLimitLogin).toEqual({ max: 5, windowMs: 3_600_000 });
    expect(c.trustProxy).toEqual(["10.0.0.0/8", "::1"]);
    expect(c.masterKey).toHaveLength(32);
    expect(c.resourceSecrets).toEqual([
      { id: "orders", secret: ORDERS_SECRET },
      { id: "billing", secret: BILLING_SECRET },
    ]);
    expect(loadConfig({ TESSERA_TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(loadConfig({ TESSERA_DATABASE_URL: "sqlite::memory:" }).database).toEqual({
      kind: "sqlite",
      path: ":memory:",
    });
  });
});

describe("an invalid value stops start-up with one line naming the variable", () => {
  const cases: Array<[string, Record<string, string>]> = [
    ["PORT", { PORT: "70000" }],
    ["PORT", { PORT: "http" }],
    ["TESSERA_DATABASE_URL", { TESSERA_DATABASE_URL: "mysql://x" }],
    ["TESSERA_REDIS_URL", { TESSERA_REDIS_URL: "http://cache" }],
    ["TESSERA_ADMIN_SECRETS", { TESSERA_ADMIN_SECRETS: "backend:short" }],
    ["TESSERA_ISSUER", { TESSERA_ISSUER: "auth.example.com" }],
    ["TESSERA_ISSUER", { TESSERA_ISSUER: "https://auth.example.com/?x=1" }],
    ["TESSERA_ACCESS_TOKEN_TTL", { TESSERA_ACCESS_TOKEN_TTL: "15 minutes" }],
    ["TESSERA_ACCESS_TOKEN_TTL", { TESSERA_ACCESS_TOKEN_TTL: "500ms" }],
    ["TESSERA_ACCESS_TOKEN_TTL", { TESSERA_ACCESS_TOKEN_TTL: "2h" }],
    ["TESSERA_REFRESH_TTL", { TESSERA_REFRESH_TTL: "soon" }],
    ["TESSERA_REFRESH_TTL", { TESSERA_REFRESH_TTL: "1m" }],
    ["TESSERA_SESSION_MAX_AGE", { TESSERA_SESSION_MAX_AGE: "1d" }],
    ["TESSERA_REFRESH_GRACE", { TESSERA_REFRESH_GRACE: "1h" }],
    ["TESSERA_SIGNING_ALG", { TESSERA_SIGNING_ALG: "none" }],
    ["TESSERA_ALLOWED_ORIGINS", { TESSERA_ALLOWED_ORIGINS: "*" }],
    ["TESSERA_ALLOWED_ORIGINS", { TESSERA_ALLOWED_ORIGINS: "https://app.example.com/path" }],
    ["TESSERA_REGISTRATION", { TESSERA_REGISTRATION: "invite" }],
    ["TESSERA_RATE_LIMIT_LOGIN", { TESSERA_RATE_LIMIT_LOGIN: "10" }],
    ["TESSERA_RATE_LIMIT_IP", { TESSERA_RATE_LIMIT_IP: "0/1m" }],
    ["TESSERA_TRUST_PROXY", { TESSERA_TRUST_PROXY: "true" }],
    ["TESSERA_TRUST_PROXY", { TESSERA_TRUST_PROXY: "10.0.0.0/99" }],
    ["TESSERA_MASTER_KEY", { TESSERA_MASTER_KEY: "too-short" }],
    ["TESSERA_TLS_KEY", { TESSERA_TLS_CERT: "/etc/cert.pem" }],
    ["TESSERA_RESOURCE_SECRETS", { TESSERA_RESOURCE_SECRETS: "orders:short" }],
    ["TESSERA_RESOURCE_SECRETS", { TESSERA_RESOURCE_SECRETS: "no-colon-here-at-all" }],
    // Regression (issue 14.14): any 16 characters were accepted as a resource secret.
    ["TESSERA_RESOURCE_SECRETS", { TESSERA_RESOURCE_SECRETS: "orders:0123456789abcdef0123" }],
    ["TESSERA_RESOURCE_SECRETS", { TESSERA_RESOURCE_SECRETS: `orders:${"a".repeat(40)}` }],
    ["TESSERA_RESOURCE_SECRETS", { TESSERA_RESOURCE_SECRETS: `orders:${"password".repeat(4)}` }],
    ["TESSERA_RESOURCE_SECRETS", { TESSERA_RESOURCE_SECRETS: `orders:${ORDERS_SECRET},billing:short` }],
    ["TESSERA_RATE_LIMIT_CREDENTIALS", { TESSERA_RATE_LIMIT_CREDENTIALS: "many" }],
    ["TESSERA_REQUEST_TIMEOUT", { TESSERA_REQUEST_TIMEOUT: "forever" }],
    ["TESSERA_REQUEST_TIMEOUT", { TESSERA_REQUEST_TIMEOUT: "1h" }],
    ["TESSERA_KEEP_ALIVE_TIMEOUT", { TESSERA_KEEP_ALIVE_TIMEOUT: "10ms" }],
    ["TESSERA_SHUTDOWN_DRAIN", { TESSERA_SHUTDOWN_DRAIN: "1h" }],
    ["TESSERA_SQLITE_SYNCHRONOUS", { TESSERA_SQLITE_SYNCHRONOUS: "off" }],
    ["TESSERA_MAX_CONNECTIONS", { TESSERA_MAX_CONNECTIONS: "0" }],
    ["TESSERA_MAX_CONNECTIONS", { TESSERA_MAX_CONNECTIONS: "off" }],
    ["TESSERA_MAX_CONNECTIONS_PER_IP", { TESSERA_MAX_CONNECTIONS_PER_IP: "-1" }],
    ["TESSERA_REFRESH_CONTEXT", { TESSERA_REFRESH_CONTEXT: "paranoid" }],
    ["TESSERA_AUDIT_RETENTION", { TESSERA_AUDIT_RETENTION: "forever" }],
    ["TESSERA_AUDIT_RETENTION", { TESSERA_AUDIT_RETENTION: "12h" }],
    ["TESSERA_LOG_LEVEL", { TESSERA_LOG_LEVEL: "loud" }],
    ["TESSERA_DPOP_NONCE", { TESSERA_DPOP_NONCE: "yes" }],
  ];
  for (const [variable, env] of cases) {
    it(`${variable}=${Object.values(env).join(",")}`, () => {
      const error = failure(env);
      expect(error.variable).toBe(variable);
      expect(error.message.startsWith(`${variable}: `)).toBe(true);
      expect(error.message).not.toContain("\n");
    });
  }

  it("never repeats a secret value in the message", () => {
    const error = failure({ TESSERA_MASTER_KEY: "my-very-secret-but-malformed-key" });
    expect(error.message).not.toContain("my-very-secret");
  });
});

describe("production refusals", () => {
  const prod = {
    NODE_ENV: "production",
    TESSERA_SMTP_URL: "smtp://127.0.0.1:2525",
    TESSERA_MASTER_KEY: KEY_HEX,
    TESSERA_TRUST_PROXY: "1",
  };

  it("starts with a master key and a trusted proxy (or TLS)", () => {
    expect(loadConfig(prod).production).toBe(true);
    const { TESSERA_TRUST_PROXY: _, ...noProxy } = prod;
    const certPath = join(dir, "tls-cert.pem");
    const keyPath = join(dir, "tls-key.pem");
    writeFileSync(certPath, "cert", { mode: 0o644 });
    writeFileSync(keyPath, "key", { mode: 0o600 });
    chmodSync(keyPath, 0o600);
    expect(loadConfig({ ...noProxy, TESSERA_TLS_CERT: certPath, TESSERA_TLS_KEY: keyPath }).tls).toEqual({
      certPath,
      keyPath,
    });
    // The TLS private key gets the checks of a secret file.
    chmodSync(keyPath, 0o644);
    expect(failure({ ...noProxy, TESSERA_TLS_CERT: certPath, TESSERA_TLS_KEY: keyPath }).variable).toBe(
      "TESSERA_TLS_KEY",
    );
    expect(loadConfig({ TESSERA_TLS_CERT: certPath, TESSERA_TLS_KEY: keyPath }).tls).not.toBeNull();
    expect(failure({ TESSERA_TLS_CERT: join(dir, "missing.pem"), TESSERA_TLS_KEY: keyPath }).variable).toBe(
      "TESSERA_TLS_CERT",
    );
  });

  it("refuses plain HTTP without TLS or a trusted proxy", () => {
    const { TESSERA_TRUST_PROXY: _, ...env } = prod;
    expect(failure(env).variable).toBe("TESSERA_TLS_CERT");
  });

  it("refuses a missing master key", () => {
    const { TESSERA_MASTER_KEY: _, ...env } = prod;
    expect(failure(env).variable).toBe("TESSERA_MASTER_KEY");
  });

  it("refuses access-token lifetimes outside 1 min – 1 h (allowed down to 1 s outside production)", () => {
    expect(failure({ ...prod, TESSERA_ACCESS_TOKEN_TTL: "30s" }).variable).toBe("TESSERA_ACCESS_TOKEN_TTL");
    expect(failure({ ...prod, TESSERA_ACCESS_TOKEN_TTL: "61m" }).variable).toBe("TESSERA_ACCESS_TOKEN_TTL");
    expect(loadConfig({ ...prod, TESSERA_ACCESS_TOKEN_TTL: "1m" }).accessTokenTtlMs).toBe(60_000);
    expect(loadConfig({ ...prod, TESSERA_ACCESS_TOKEN_TTL: "1h" }).accessTokenTtlMs).toBe(3_600_000);
    expect(loadConfig({ TESSERA_ACCESS_TOKEN_TTL: "1s" }).accessTokenTtlMs).toBe(1_000);
  });
});

describe("secrets from files (_FILE)", () => {
  const secretFile = (content: string, mode: number) => {
    const path = join(dir, `secret-${Math.random().toString(36).slice(2)}`);
    writeFileSync(path, content, { mode });
    chmodSync(path, mode);
    return path;
  };

  it("reads a secret from its _FILE form, dropping one trailing newline", () => {
    const path = secretFile(`${KEY_HEX}\n`, 0o600);
    const c = loadConfig({
      TESSERA_MASTER_KEY_FILE: path,
      TESSERA_DATABASE_URL_FILE: secretFile("sqlite::memory:\n", 0o600),
    });
    expect(Buffer.from(c.masterKey ?? []).toString("hex")).toBe(KEY_HEX);
    expect(c.database).toEqual({ kind: "sqlite", path: ":memory:" });
  });

  it("refuses a secret given both ways", () => {
    const error = failure({
      TESSERA_MASTER_KEY: KEY_HEX,
      TESSERA_MASTER_KEY_FILE: secretFile(KEY_HEX, 0o600),
    });
    expect(error.variable).toBe("TESSERA_MASTER_KEY");
  });

  it("refuses an unreadable or empty secret file", () => {
    expect(failure({ TESSERA_RESOURCE_SECRETS_FILE: join(dir, "missing") }).variable).toBe(
      "TESSERA_RESOURCE_SECRETS_FILE",
    );
    expect(failure({ TESSERA_MASTER_KEY_FILE: secretFile("\n", 0o600) }).variable).toBe(
      "TESSERA_MASTER_KEY_FILE",
    );
  });

  it("refuses a world-readable secret file in production only", () => {
    const path = secretFile(KEY_HEX, 0o644);
    expect(loadConfig({ TESSERA_MASTER_KEY_FILE: path }).masterKey).toHaveLength(32);
    const error = failure({
      NODE_ENV: "production",
      TESSERA_TRUST_PROXY: "1",
      TESSERA_MASTER_KEY_FILE: path,
    });
    expect(error.variable).toBe("TESSERA_MASTER_KEY_FILE");
    const privatePath = secretFile(KEY_HEX, 0o600);
    expect(
      loadConfig({
        NODE_ENV: "production",
        TESSERA_SMTP_URL: "smtp://127.0.0.1:2525",
        TESSERA_TRUST_PROXY: "1",
        TESSERA_MASTER_KEY_FILE: privatePath,
      }).production,
    ).toBe(true);
  });
});

describe("every secret setting has a _FILE form", () => {
  const values: Record<string, [string, (c: ReturnType<typeof loadConfig>) => unknown, unknown]> = {
    TESSERA_MASTER_KEY: [KEY_HEX, (c) => Buffer.from(c.masterKey ?? []).toString("hex"), KEY_HEX],
    TESSERA_RESOURCE_SECRETS: [
      `orders:${ORDERS_SECRET}`,
      (c) => c.resourceSecrets,
      [{ id: "orders", secret: ORDERS_SECRET }],
    ],
    TESSERA_ADMIN_SECRETS: [
      "backend:admin-secret-Vq7Lp2Xz9Kd4Rt8Mw3Nb6Hj",
      (c) => c.adminSecrets,
      [{ id: "backend", secret: "admin-secret-Vq7Lp2Xz9Kd4Rt8Mw3Nb6Hj" }],
    ],
    TESSERA_DATABASE_URL: [
      "postgres://u:p@db/t",
      (c) => c.database,
      { kind: "postgres", connectionString: "postgres://u:p@db/t" },
    ],
    TESSERA_REDIS_URL: ["redis://:pw@cache:6379", (c) => c.redisUrl, "redis://:pw@cache:6379"],
  };
  for (const [name, [value, read, expected]] of Object.entries(values)) {
    it(`${name}_FILE`, () => {
      const path = join(dir, `file-form-${name}`);
      writeFileSync(path, `${value}\n`, { mode: 0o600 });
      expect(read(loadConfig({ [`${name}_FILE`]: path }))).toEqual(expected);
      expect(failure({ [`${name}_FILE`]: path, [name]: value }).variable).toBe(name);
    });
  }
});

describe("config file", () => {
  it("is read from TESSERA_CONFIG_FILE; the environment wins", () => {
    const path = join(dir, "tessera.json");
    writeFileSync(
      path,
      JSON.stringify({
        PORT: 4000,
        TESSERA_AUDIENCE: "from-file",
        TESSERA_ALLOWED_ORIGINS: ["https://a.example"],
      }),
    );
    const c = loadConfig({ TESSERA_CONFIG_FILE: path, TESSERA_AUDIENCE: "from-env" });
    expect(c.port).toBe(4000);
    expect(c.audience).toBe("from-env");
    expect(c.allowedOrigins).toEqual(["https://a.example"]);
  });

  it("in production, refuses a world-readable config file that holds a secret", () => {
    const path = join(dir, "prod.json");
    writeFileSync(path, JSON.stringify({ TESSERA_MASTER_KEY: KEY_HEX }), { mode: 0o644 });
    chmodSync(path, 0o644);
    const env = {
      NODE_ENV: "production",
      TESSERA_SMTP_URL: "smtp://127.0.0.1:2525",
      TESSERA_TRUST_PROXY: "1",
      TESSERA_CONFIG_FILE: path,
    };
    expect(failure(env).variable).toBe("TESSERA_CONFIG_FILE");
    chmodSync(path, 0o600);
    expect(loadConfig(env).masterKey).toHaveLength(32);
    // Without a secret in it, a readable config file is fine.
    writeFileSync(path, JSON.stringify({ TESSERA_AUDIENCE: "api" }));
    chmodSync(path, 0o644);
    expect(loadConfig({ ...env, TESSERA_MASTER_KEY: KEY_HEX }).audience).toBe("api");
  });

  it("refuses a malformed file or value", () => {
    const path = join(dir, "bad.json");
    writeFileSync(path, "{ not json");
    expect(failure({ TESSERA_CONFIG_FILE: path }).variable).toBe("TESSERA_CONFIG_FILE");
    writeFileSync(path, JSON.stringify({ PORT: { nested: true } }));
    expect(failure({ TESSERA_CONFIG_FILE: path }).variable).toBe("PORT");
  });
});

describe("durations, rate rules and master keys", () => {
  it("parses ms-style durations and refuses the rest", () => {
    expect(parseDuration("2s")).toBe(2_000);
    expect(parseDuration("15m")).toBe(900_000);
    expect(parseDuration("7d")).toBe(604_800_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("1500")).toBe(1_500);
    for (const bad of ["", "m", "1.5h", "-1s", "1y", "7 d", "9999999999999d"])
      expect(parseDuration(bad)).toBeNull();
  });

  it("parses rate rules", () => {
    expect(parseRateLimit("10/15m")).toEqual({ max: 10, windowMs: 900_000 });
    expect(parseRateLimit("off")).toBeNull();
    for (const bad of ["10", "/1m", "0/1m", "10/fortnight", "10/500ms"])
      expect(parseRateLimit(bad)).toBeUndefined();
  });

  it("accepts a 32-byte key as hex, base64 or base64url only", () => {
    const bytes = Buffer.alloc(32, 0xfb);
    for (const text of [bytes.toString("hex"), bytes.toString("base64"), bytes.toString("base64url")]) {
      expect(Buffer.from(parseMasterKey(text) ?? [])).toEqual(bytes);
    }
    expect(parseMasterKey(Buffer.alloc(31).toString("hex"))).toBeNull();
    expect(parseMasterKey(Buffer.alloc(33).toString("base64"))).toBeNull();
    expect(parseMasterKey("not a key")).toBeNull();
  });

  it("generates a development master key (0600, in a 0700 data dir) once and reuses it", () => {
    const dataDir = join(dir, "data");
    const config = loadConfig({ TESSERA_DATABASE_URL: `sqlite:${join(dataDir, "tessera.db")}` });
    const first = resolveMasterKey(config);
    expect(first.note).toMatch(/created a development master key/);
    const keyPath = join(dataDir, "master.key");
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const second = resolveMasterKey(config);
    expect(second.note).toBeNull();
    expect(Buffer.from(second.key)).toEqual(Buffer.from(first.key));
    expect(parseMasterKey(readFileSync(keyPath, "utf8"))).not.toBeNull();
  });
});

describe("durability and shutdown", () => {
  it("TESSERA_SQLITE_SYNCHRONOUS=full reaches the SQLite store; TESSERA_SHUTDOWN_DRAIN is a duration", () => {
    expect(loadConfig({}).database).toEqual({ kind: "sqlite", path: "./data/tessera.db" });
    expect(loadConfig({ TESSERA_SQLITE_SYNCHRONOUS: "full" }).database).toEqual({
      kind: "sqlite",
      path: "./data/tessera.db",
      synchronous: "full",
    });
    expect(
      loadConfig({ TESSERA_SQLITE_SYNCHRONOUS: "full", TESSERA_DATABASE_URL: "postgres://db.internal/auth" })
        .database,
    ).toEqual({ kind: "postgres", connectionString: "postgres://db.internal/auth" });
    expect(loadConfig({ TESSERA_SHUTDOWN_DRAIN: "15s" }).shutdownDrainMs).toBe(15_000);
  });
});

describe("connection limits", () => {
  it("are configurable; the per-address cap is off by default behind a proxy", () => {
    const c = loadConfig({
      TESSERA_REQUEST_TIMEOUT: "2s",
      TESSERA_KEEP_ALIVE_TIMEOUT: "500ms",
      TESSERA_MAX_CONNECTIONS: "50",
      TESSERA_MAX_CONNECTIONS_PER_IP: "5",
      TESSERA_RATE_LIMIT_CREDENTIALS: "off",
    });
    expect(c).toMatchObject({
      requestTimeoutMs: 2_000,
      keepAliveTimeoutMs: 500,
      maxConnections: 50,
      maxConnectionsPerIp: 5,
      rateLimitCredentials: null,
    });
    expect(loadConfig({ TESSERA_TRUST_PROXY: "1" }).maxConnectionsPerIp).toBeNull();
    expect(loadConfig({ TESSERA_MAX_CONNECTIONS_PER_IP: "off" }).maxConnectionsPerIp).toBeNull();
  });

  it("a weak resource secret's error line states the rule", () => {
    const error = failure({ TESSERA_RESOURCE_SECRETS: "orders:0123456789abcdef0123" });
    expect(error.message).toContain("at least 32 characters");
    expect(error.message).not.toContain("0123456789abcdef0123");
  });
});

describe("workers and the key reload interval", () => {
  it("default to one process and 60 s", () => {
    expect(loadConfig({})).toMatchObject({ workers: 1, keyReloadIntervalMs: 60_000 });
  });

  it("accept a count or auto (the CPUs available)", () => {
    expect(loadConfig({ TESSERA_WORKERS: "4" }).workers).toBe(4);
    expect(loadConfig({ TESSERA_WORKERS: "auto" }).workers).toBe(availableParallelism());
    expect(loadConfig({ TESSERA_KEY_RELOAD_INTERVAL: "5s" }).keyReloadIntervalMs).toBe(5_000);
    expect(loadConfig({}).purgeIntervalMs).toBe(600_000);
    expect(loadConfig({ TESSERA_PURGE_INTERVAL: "30s" }).purgeIntervalMs).toBe(30_000);
  });

  it("refuse what is not one, with one line naming the variable", () => {
    for (const bad of ["0", "-2", "two", "1.5", "1000"]) {
      expect(failure({ TESSERA_WORKERS: bad }).message).toContain("TESSERA_WORKERS");
    }
    for (const bad of ["500ms", "2h", "soon"]) {
      expect(failure({ TESSERA_KEY_RELOAD_INTERVAL: bad }).message).toContain("TESSERA_KEY_RELOAD_INTERVAL");
    }
  });

  it("refuse several workers on an in-memory database (each would have its own)", () => {
    const error = failure({ TESSERA_WORKERS: "2", TESSERA_DATABASE_URL: "sqlite::memory:" });
    expect(error.message).toContain("TESSERA_WORKERS");
    expect(loadConfig({ TESSERA_WORKERS: "1", TESSERA_DATABASE_URL: "sqlite::memory:" }).workers).toBe(1);
  });
});
