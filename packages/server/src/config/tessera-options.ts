import type { TesseraOptions } from "@tessera/core";
import type { ServerConfig } from "./server-config.js";

/**
 * The core's options from the server's configuration, so the server and the CLI's
 * administrative commands run the token service with exactly the same settings.
 *
 * @example
 * const tessera = await createTessera({ ...tesseraOptions(config), store, masterKey });
 */
export function tesseraOptions(
  config: ServerConfig,
): Omit<TesseraOptions, "store" | "masterKey" | "clock" | "passwordHasher"> {
  return {
    issuer: config.issuer,
    audience: config.audience,
    signingAlg: config.signingAlg,
    accessTokenTtlMs: config.accessTokenTtlMs,
    refreshTtlMs: config.refreshTtlMs,
    sessionMaxAgeMs: config.sessionMaxAgeMs,
    refreshGraceMs: config.refreshGraceMs,
    registration: config.registration,
    refreshContext: config.refreshContext,
    auditRetentionMs: config.auditRetentionMs,
    keyReloadIntervalMs: config.keyReloadIntervalMs,
    ...(config.rolePolicy === null ? {} : { roles: config.rolePolicy }),
    appUrl: config.mail.appUrl,
    passwordReset: config.mail.passwordReset,
    passwordResetTtlMs: config.mail.passwordResetTtlMs,
    emailVerification: config.mail.emailVerification,
  };
}
