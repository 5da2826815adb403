import type { ServerConfig } from "../config/server-config.js";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * The lines `tessera serve` prints once it listens: the URL to use (`localhost` when bound to a
 * loopback address, matching the default issuer — a page on `http://localhost:5173` that calls
 * `http://127.0.0.1:3000` is cross-site and never gets its `SameSite=Strict` refresh cookie), then
 * the issuer and the origins allowed to call `/auth/*` from a browser.
 *
 * @example
 * serveBanner(config, 3000).forEach((line) => io.out(line));
 */
export function serveBanner(
  config: Pick<ServerConfig, "host" | "tls" | "issuer" | "allowedOrigins">,
  port: number,
): string[] {
  const host = LOOPBACK.has(config.host)
    ? "localhost"
    : config.host.includes(":")
      ? `[${config.host}]`
      : config.host;
  const origins =
    config.allowedOrigins.length > 0
      ? config.allowedOrigins.join(", ")
      : "none besides the server's own (set TESSERA_ALLOWED_ORIGINS=http://localhost:5173,… for browser apps)";
  return [
    `tessera listening on ${config.tls ? "https" : "http"}://${host}:${port}`,
    `  issuer: ${config.issuer}`,
    `  allowed origins: ${origins}`,
  ];
}
