import { readFileSync, statSync } from "node:fs";
import { ConfigError } from "./config-error.js";

// TESSERA_TLS_KEY is already a path to a file, so it has no `_FILE` form; `loadConfig` gives its
// file the same checks (readable; not world-readable in production).
/** The settings that may hold a secret; each also has a `<NAME>_FILE` form. */
export const SECRET_VARIABLES = [
  "TESSERA_MASTER_KEY",
  "TESSERA_RESOURCE_SECRETS",
  "TESSERA_ADMIN_SECRETS",
  "TESSERA_DATABASE_URL",
  "TESSERA_REDIS_URL",
  "TESSERA_SMTP_URL",
] as const;

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads a secret setting from `NAME` or from the file named by `NAME_FILE` (Docker/Kubernetes
 * secrets, Vault Agent). Both set, an unreadable file, an empty file, or — in production — a
 * file that every local user can read, is a `ConfigError` naming the variable. One trailing
 * newline is dropped.
 *
 * @example
 * const key = readSecret({ TESSERA_MASTER_KEY_FILE: "/run/secrets/master" }, "TESSERA_MASTER_KEY", true);
 */
export function readSecret(env: Environment, name: string, production: boolean): string | undefined {
  const fileVar = `${name}_FILE`;
  const direct = nonEmpty(env[name]);
  const file = nonEmpty(env[fileVar]);
  if (direct !== undefined && file !== undefined) {
    throw new ConfigError(name, `set either ${name} or ${fileVar}, not both`);
  }
  if (file === undefined) return direct;

  const value = readFileOf(fileVar, file, production).replace(/\r?\n$/, "");
  if (value.trim() === "") throw new ConfigError(fileVar, "the secret file is empty");
  return value;
}

/**
 * Checks that the file a setting names can be read and — when `secret` (a private key in
 * production) — that not every local user can read it. Throws a `ConfigError` naming `variable`.
 *
 * @example
 * checkReadableFile("TESSERA_TLS_KEY", "/run/secrets/tls.key", true);
 */
export function checkReadableFile(variable: string, path: string, secret: boolean): void {
  readFileOf(variable, path, secret);
}

function readFileOf(variable: string, path: string, secret: boolean): string {
  try {
    if (secret && (statSync(path).mode & 0o004) !== 0) {
      throw new ConfigError(variable, "the secret file is world-readable; chmod o-rwx it");
    }
    return readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new ConfigError(variable, `cannot read the file (${code})`);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
