import { randomUUID } from "node:crypto";
import { isTesseraError, TesseraError } from "../errors.js";
import { checkRoles } from "../permissions/roles.js";
import type { Runtime } from "../runtime.js";
import { normaliseEmail } from "./email.js";
import { type HashProblem, parseLegacyHash } from "./legacy-hashes.js";
import { NO_PASSWORD_HASH } from "./stored-password.js";

/** Most users one `importUsers` call takes; more is `invalid_input`. */
export const MAX_IMPORT_USERS = 1_000;

/** One user to import, as the admin API and `tessera users import` take it. */
export interface ImportUserInput {
  email: string;
  /** A hash in one of the accepted spellings (see `parseLegacyHash`); absent: no password. */
  password_hash?: string;
  roles?: string[];
  email_verified?: boolean;
}

/**
 * Why a user was not imported: `invalid_entry` (not an object, or a field of the wrong type),
 * `unknown_field` (a field import does not know, e.g. a misspelt `passwordHash`), `invalid_email`,
 * `unsupported_hash`, `malformed_hash`, `hash_cost_out_of_bounds`, `email_taken` (already a user,
 * or earlier in the same batch).
 */
export type ImportSkipReason =
  | "invalid_entry"
  | "unknown_field"
  | "invalid_email"
  | "email_taken"
  | HashProblem;

export interface ImportResult {
  imported: number;
  skipped: Array<{ email: string; reason: ImportSkipReason }>;
}

const FIELDS = new Set(["email", "password_hash", "roles", "email_verified"]);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Longest e-mail echoed back in `skipped` (a valid one is at most 254 characters). */
const ECHO_MAX = 320;

type Prepared =
  | {
      ok: true;
      email: string;
      passwordHash: string;
      hashKind: string;
      emailVerified: boolean;
      roles: string[];
    }
  | { ok: false; reason: ImportSkipReason };

/**
 * Create users brought from another system, each with the password hash it had there, so they
 * sign in with their old password; at that first login the hash is verified once and replaced by
 * the default argon2id (see `verifyStoredPassword`). At most {@link MAX_IMPORT_USERS} per call
 * (`invalid_input` beyond, or when `users` is not an array). A bad entry never fails the call: it
 * is skipped with a reason, and the others are imported; each user is created on its own, so a
 * call interrupted by a store failure can be repeated (those already in are skipped as
 * `email_taken`). `email_verified` (default false) and `roles` (names checked as everywhere;
 * an invalid list skips the entry as `invalid_entry`) are stored.
 *
 * @example
 * const { imported, skipped } = await importUsers(rt, [{ email: "ada@example.com", password_hash: "$2b$12$…" }]);
 */
export async function importUsers(rt: Runtime, users: unknown): Promise<ImportResult> {
  if (!Array.isArray(users)) throw new TesseraError("invalid_input", "users must be an array");
  if (users.length > MAX_IMPORT_USERS) {
    throw new TesseraError("invalid_input", `at most ${MAX_IMPORT_USERS} users per import`);
  }
  const result: ImportResult = { imported: 0, skipped: [] };
  for (const entry of users as unknown[]) {
    const prepared = prepareEntry(entry);
    if (!prepared.ok) {
      result.skipped.push({ email: echoedEmail(entry), reason: prepared.reason });
      continue;
    }
    const user = {
      id: randomUUID(),
      email: prepared.email,
      passwordHash: prepared.passwordHash,
      createdAt: rt.clock.now(),
      tokenEpoch: 0,
      credentialVersion: 0,
      disabledAt: null,
      emailVerified: prepared.emailVerified,
      roles: prepared.roles,
    };
    try {
      await rt.store.createUser(user);
    } catch (error) {
      if (!isTesseraError(error, "email_taken")) throw error;
      result.skipped.push({ email: prepared.email, reason: "email_taken" });
      continue;
    }
    await rt.audit({
      type: "user.imported",
      userId: user.id,
      data: { by: "admin", hash: prepared.hashKind },
    });
    result.imported += 1;
  }
  return result;
}

function prepareEntry(entry: unknown): Prepared {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    return { ok: false, reason: "invalid_entry" };
  }
  const fields = entry as Record<string, unknown>;
  if (Object.keys(fields).some((key) => !FIELDS.has(key))) return { ok: false, reason: "unknown_field" };
  const { email_verified: verified, roles } = fields;
  if (verified !== undefined && typeof verified !== "boolean") return { ok: false, reason: "invalid_entry" };
  if (roles !== undefined && !isRoleList(roles)) return { ok: false, reason: "invalid_entry" };
  let checkedRoles: string[];
  try {
    checkedRoles = checkRoles((roles ?? []) as readonly unknown[]);
  } catch {
    return { ok: false, reason: "invalid_entry" };
  }

  let email: string;
  try {
    if (typeof fields.email === "string" && LONE_SURROGATE.test(fields.email))
      throw new TesseraError("invalid_input");
    email = normaliseEmail(fields.email);
  } catch {
    return { ok: false, reason: "invalid_email" };
  }
  const emailVerified = verified === true;
  const hash = fields.password_hash;
  if (hash === undefined || hash === null)
    return {
      ok: true,
      email,
      passwordHash: NO_PASSWORD_HASH,
      hashKind: "none",
      emailVerified,
      roles: checkedRoles,
    };
  const parsed = parseLegacyHash(hash);
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  return {
    ok: true,
    email,
    passwordHash: hash as string,
    hashKind: parsed.hash.kind,
    emailVerified,
    roles: checkedRoles,
  };
}

function isRoleList(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.every((role) => typeof role === "string" && role.length > 0 && role.length <= 64)
  );
}

function echoedEmail(entry: unknown): string {
  const email = (entry as { email?: unknown } | null)?.email;
  return typeof email === "string" ? email.slice(0, ECHO_MAX) : "";
}
