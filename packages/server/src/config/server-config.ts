import type { RefreshContextMode, RolePolicy, SigningAlg } from "@tessera/core";
import type { RateLimitRule } from "./duration.js";
import type { MailConfig } from "./mail-config.js";

/** Where the data lives, from `TESSERA_DATABASE_URL`. */
export type DatabaseConfig =
  | {
      kind: "sqlite";
      /** A file path, or `:memory:`. */
      path: string;
      /** `TESSERA_SQLITE_SYNCHRONOUS=full`: sync the WAL at every commit (absent: NORMAL). */
      synchronous?: "full";
    }
  | { kind: "postgres"; connectionString: string };

/** Fastify's `trustProxy`: `false`, a hop count, or a list of addresses/CIDRs. */
export type TrustProxy = false | number | string[];

/** The typed configuration of the server, parsed once by `loadConfig`. */
export interface ServerConfig {
  production: boolean;
  port: number;
  host: string;
  database: DatabaseConfig;
  redisUrl: string | null;
  issuer: string;
  audience: string | string[];
  accessTokenTtlMs: number;
  refreshTtlMs: number;
  sessionMaxAgeMs: number;
  refreshGraceMs: number;
  signingAlg: SigningAlg;
  /** Exact origins (`scheme://host[:port]`) granted credentialed CORS and allowed as `Origin`. */
  allowedOrigins: string[];
  registration: "open" | "closed";
  /** Failed logins per (account, client IP); `null` = off. */
  rateLimitLogin: RateLimitRule | null;
  /** Requests per client IP, counted apart for `/auth/*`+`/oauth/*` and every other path; `null` = off. */
  rateLimitIp: RateLimitRule | null;
  /** Failed resource-credential (HTTP Basic) checks per client IP; `null` = off. */
  rateLimitCredentials: RateLimitRule | null;
  /** Time a client has to send a whole request, headers and body (`TESSERA_REQUEST_TIMEOUT`). */
  requestTimeoutMs: number;
  /** Idle time after which a keep-alive connection (or a silent socket) is closed. */
  keepAliveTimeoutMs: number;
  /** On SIGTERM, how long `/readyz` answers 503 while requests are still served, before closing. */
  shutdownDrainMs: number;
  /** Open connections at most, over all clients. */
  maxConnections: number;
  /** Open connections at most per peer address (IPv6: per /64); `null` = no per-address cap. */
  maxConnectionsPerIp: number | null;
  trustProxy: TrustProxy;
  /** `null` outside production when none was given: `resolveMasterKey` then makes a development key. */
  masterKey: Uint8Array | null;
  tls: { certPath: string; keyPath: string } | null;
  /** Resource-server credentials for introspection and the revocation feed. */
  resourceSecrets: Array<{ id: string; secret: string }>;
  /** Admin API credentials (`TESSERA_ADMIN_SECRETS`); empty: `/admin/*` answers 404. */
  adminSecrets: Array<{ id: string; secret: string }>;
  refreshContext: RefreshContextMode;
  auditRetentionMs: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Demand server nonces in DPoP proofs (`TESSERA_DPOP_NONCE=on`, RFC 9449 §8). */
  dpopNonce: boolean;
  /**
   * Processes serving the port (`TESSERA_WORKERS` or `tessera serve --workers`; `auto` = the CPUs
   * available): 1 serves in this process; more runs a `node:cluster` primary and that many workers.
   */
  workers: number;
  /** How often each process re-reads the signing-key ring from the store (`TESSERA_KEY_RELOAD_INTERVAL`). */
  keyReloadIntervalMs: number;
  /**
   * How often expired rows are deleted (`TESSERA_PURGE_INTERVAL`): by the server, or under
   * `--workers` by the one worker that keeps house.
   */
  purgeIntervalMs: number;
  /** What each role grants, from `TESSERA_ROLES_FILE`; `null` when no file is configured. */
  rolePolicy: RolePolicy | null;
  /** Account recovery and e-mail. */
  mail: MailConfig;
}
