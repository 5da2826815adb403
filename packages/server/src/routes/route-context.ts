import type { Store, Tessera } from "@tessera/core";
import type { ServerConfig } from "../config/server-config.js";
import type { ServerDpop } from "../dpop/server-dpop.js";
import type { ServerMetrics } from "../http/metrics.js";
import type { RateLimits } from "../http/rate-limits.js";

/** The settings routes read: a `ServerConfig` is one; `tesseraRoutes` makes one from its options. */
export interface RouteSettings {
  issuer: string;
  signingAlg: ServerConfig["signingAlg"];
  resourceSecrets: ServerConfig["resourceSecrets"];
  adminSecrets: ServerConfig["adminSecrets"];
  mail: Pick<ServerConfig["mail"], "emailVerification" | "passwordReset">;
}

/** What every route module needs; routes translate HTTP to these calls and hold no token rules. */
export interface RouteContext {
  tessera: Tessera;
  store: Store;
  config: RouteSettings;
  limits: RateLimits;
  metrics: ServerMetrics;
  /** `TESSERA_ALLOWED_ORIGINS` plus the issuer's own origin. */
  allowedOrigins: ReadonlySet<string>;
  /** The same clock the core runs on (cookie lifetimes are computed from it). */
  now: () => number;
  /** DPoP proof checks (RFC 9449) for native clients and bound tokens. */
  dpop: ServerDpop;
}
