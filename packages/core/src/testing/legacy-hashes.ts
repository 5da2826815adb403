import { pbkdf2Sync, randomBytes, scryptSync } from "node:crypto";
import { hash as argon2Hash } from "@node-rs/argon2";
import bcrypt from "bcryptjs";

const b64 = (bytes: Buffer) => bytes.toString("base64").replace(/=+$/, "");
const ab64 = (bytes: Buffer) => b64(bytes).replaceAll("+", ".");

/** The spellings user import accepts, as test fixtures name them. */
export const LEGACY_HASH_KINDS = [
  "argon2id",
  "argon2i",
  "bcrypt2a",
  "bcrypt2b",
  "bcrypt2y",
  "scrypt",
  "pbkdf2",
  "passlib",
] as const;

export type LegacyHashKind = (typeof LEGACY_HASH_KINDS)[number];

/** One hash per accepted spelling, keyed by kind. */
export type LegacyHashSet = Record<LegacyHashKind, string>;

/**
 * A hash of `password` in one spelling user import accepts, made by the real library
 * (`@node-rs/argon2`, `bcryptjs`, `node:crypto`) with the lowest costs. For tests only.
 * bcrypt's `$2a$`/`$2y$` are the same algorithm as `$2b$` under another prefix.
 *
 * @example
 * const hash = await legacyHashOf("passlib", "correct horse");
 */
export async function legacyHashOf(kind: LegacyHashKind, password: string): Promise<string> {
  const salt = randomBytes(16);
  switch (kind) {
    case "argon2id":
    case "argon2i":
      return argon2Hash(password, {
        algorithm: kind === "argon2id" ? 2 : 1,
        memoryCost: 8,
        timeCost: 1,
        parallelism: 1,
      });
    case "bcrypt2a":
    case "bcrypt2b":
    case "bcrypt2y":
      return bcrypt.hashSync(password, 4).replace("$2b$", `$2${kind.slice(-1)}$`);
    case "scrypt":
      return `$scrypt$ln=4,r=8,p=1$${b64(salt)}$${b64(scryptSync(password, salt, 32, { N: 16, r: 8, p: 1 }))}`;
    case "pbkdf2":
      return `$pbkdf2-sha256$i=1000$${b64(salt)}$${b64(pbkdf2Sync(password, salt, 1000, 32, "sha256"))}`;
    case "passlib":
      return `$pbkdf2-sha256$1000$${ab64(salt)}$${ab64(pbkdf2Sync(password, salt, 1000, 32, "sha256"))}`;
  }
}

/**
 * One hash of `password` in every accepted spelling (see {@link legacyHashOf}).
 *
 * @example
 * const { bcrypt2y, passlib } = await legacyHashesOf("correct horse");
 */
export async function legacyHashesOf(password: string): Promise<LegacyHashSet> {
  const entries = await Promise.all(
    LEGACY_HASH_KINDS.map(async (kind) => [kind, await legacyHashOf(kind, password)] as const),
  );
  return Object.fromEntries(entries) as LegacyHashSet;
}
