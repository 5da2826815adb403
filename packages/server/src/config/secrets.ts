import { readFileSync, statSync } from "node:fs";
import { ConfigError } from "./config-error.js";

/** The settings that may hold a secret; each also has a `<NAME>_FILE` form. */
export const SECRET_VARIABLES = [
  "TESSERA_MASTER_KEY",
  "TESSERA_RESOURCE_SECRETS",
  "TESSERA_DATABASE_URL",
  "TESSERA_REDIS_URL",
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

  let content: string;
  try {
    if (production && (statSync(file).mode & 0o004) !== 0) {
      throw new ConfigError(fileVar, "the secret file is world-readable; chmod o-rwx it");
    }
    content = readFileSync(file, "utf8");
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new ConfigError(fileVar, `cannot read the secret file (${code})`);
  }
  const value = content.replace(/\r?\n$/, "");
  if (value.trim() === "") throw new ConfigError(fileVar, "the secret file is empty");
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
