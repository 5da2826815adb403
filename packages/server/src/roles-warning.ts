import type { Tessera } from "@tessera/core";

/**
 * Warn, once at start-up, about roles users hold that the role policy (`TESSERA_ROLES_FILE`)
 * does not define: they grant no permission, which is allowed but usually a typo or a stale file.
 *
 * @example
 * await warnUndefinedRoles(tessera, (line) => app.log.warn(line));
 */
export async function warnUndefinedRoles(tessera: Tessera, warn: (line: string) => void): Promise<void> {
  const missing = await tessera.undefinedHeldRoles();
  if (missing.length === 0) return;
  warn(
    `TESSERA_ROLES_FILE: users hold roles the file does not define (they grant no permission): ${missing.join(", ")}`,
  );
}
