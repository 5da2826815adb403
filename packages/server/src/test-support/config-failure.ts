import { ConfigError } from "../config/config-error.js";
import { loadConfig } from "../config/load-config.js";

/**
 * The `ConfigError` that `loadConfig(env)` throws; fails the test when it throws nothing (or
 * something else).
 *
 * @example
 * expect(configFailure({ TESSERA_ISSUER: "ftp://x" }).variable).toBe("TESSERA_ISSUER");
 */
export function configFailure(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}
