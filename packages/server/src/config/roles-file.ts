import { readFileSync } from "node:fs";
import { checkPolicy, type RolePolicy } from "@tessera/core";
import { ConfigError } from "./config-error.js";

const VARIABLE = "TESSERA_ROLES_FILE";

/**
 * Read the role policy file: JSON `{"roles": {"<role>": ["<permission>", …]}}`, each role name
 * `^[a-z][a-z0-9_.:-]{0,63}$` and each permission an RFC 6749 §3.3 scope token. `null` when no
 * file is configured; anything malformed is a one-line `ConfigError` naming the variable.
 *
 * @example
 * readRolesFile("./roles.json"); // { admin: ["users:read", "users:write"], … }
 */
export function readRolesFile(path: string | undefined): RolePolicy | null {
  if (path === undefined || path === "") return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(
      VARIABLE,
      `the file ${error instanceof SyntaxError ? "is not valid JSON" : "cannot be read"}`,
    );
  }
  const keys =
    typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? Object.keys(parsed) : [];
  if (keys.length !== 1 || keys[0] !== "roles") {
    throw new ConfigError(VARIABLE, 'expected {"roles": {"<role>": ["<permission>", …]}}');
  }
  try {
    return checkPolicy((parsed as { roles: unknown }).roles);
  } catch (error) {
    throw new ConfigError(VARIABLE, (error as Error).message);
  }
}
