export { type BuildServerOptions, buildServer } from "./build-server.js";
export { ConfigError } from "./config/config-error.js";
export { parseDuration, parseRateLimit, type RateLimitRule } from "./config/duration.js";
export { loadConfig } from "./config/load-config.js";
export { parseMasterKey } from "./config/master-key.js";
export { resolveMasterKey } from "./config/resolve-master-key.js";
export type { DatabaseConfig, ServerConfig, TrustProxy } from "./config/server-config.js";
export { openStore } from "./open-store.js";
export { type TesseraRoutesOptions, tesseraRoutes } from "./tessera-routes.js";
