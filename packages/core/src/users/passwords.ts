import { availableParallelism } from "node:os";
import type { PasswordHasher } from "../api.js";
import { TesseraError } from "../errors.js";
import { type Argon2Pool, createArgon2Pool } from "./argon2-pool.js";

/** argon2id parameters; the defaults are OWASP's first recommendation (m=19 MiB, t=2, p=1). */
export interface Argon2Params {
  /** KiB. Default 19456. */
  memoryCost?: number;
  /** Passes. Default 2. */
  timeCost?: number;
  /** Lanes. Default 1. */
  parallelism?: number;
  /**
   * Most hashes and verifies computing at once, each on its own low-priority thread; the rest
   * queue in order. Default: one more than the CPUs, shared by every default hasher in the
   * process, so no CPU idles between two hashes during a login flood, while the event loop, which
   * runs at normal priority, still gets a CPU at once. Memory stays bounded to that many ×
   * `memoryCost`.
   */
  maxConcurrent?: number;
}

/** The process-wide default pool, started on first use. */
let sharedPool: Argon2Pool | undefined;

/**
 * The process-wide pool of low-priority hash threads (one more than the CPUs), created on first
 * use: the default hasher's argon2id and the bcrypt verification of imported hashes run there.
 *
 * @example
 * await sharedHashPool().verifyBcrypt("$2b$12$…", password);
 */
export function sharedHashPool(): Argon2Pool {
  sharedPool ??= createArgon2Pool(availableParallelism() + 1);
  return sharedPool;
}

// @node-rs/argon2's `Algorithm.Argon2id` (a const enum, unreadable under isolated modules) is 2.
const ARGON2ID = 2;

/**
 * The default password hasher: argon2id via `@node-rs/argon2`, computed off the event loop on
 * threads of lower priority (see {@link Argon2Params}). Hashes are PHC strings that carry their
 * own parameters, so raising them later still verifies old hashes.
 *
 * @example
 * const hasher = createArgon2Hasher();                      // production defaults
 * const fast = createArgon2Hasher({ memoryCost: 8, timeCost: 1 }); // tests only
 */
export function createArgon2Hasher(params: Argon2Params = {}): PasswordHasher {
  const options = {
    algorithm: ARGON2ID,
    memoryCost: params.memoryCost ?? 19456,
    timeCost: params.timeCost ?? 2,
    parallelism: params.parallelism ?? 1,
  };
  const pool = params.maxConcurrent !== undefined ? createArgon2Pool(params.maxConcurrent) : sharedHashPool();
  return {
    hash: (password) => pool.hash(password, options),
    verify: async (phc, password) => {
      try {
        return await pool.verify(phc, password);
      } catch {
        return false; // a malformed stored hash verifies nothing
      }
    },
  };
}

/**
 * Passwords are compared as Unicode NFC, so the same password typed on systems that compose
 * characters differently still matches.
 *
 * @example
 * await hasher.hash(preparePassword(input));
 */
export function preparePassword(password: unknown): string {
  if (typeof password !== "string") throw new TesseraError("invalid_input", "password must be a string");
  return password.normalize("NFC");
}

const MIN_LENGTH = 8;
const MAX_LENGTH = 256;

/**
 * The password policy (NIST SP 800-63B style: length, not composition rules): 8–256 characters
 * counted as code points, not only whitespace, not the account's own e-mail. Throws
 * `weak_password`.
 *
 * @example
 * checkPasswordPolicy("correct horse battery", "ada@example.com");
 */
export function checkPasswordPolicy(password: string, normalisedEmail: string): void {
  const length = [...password].length;
  if (length < MIN_LENGTH || length > MAX_LENGTH) {
    throw new TesseraError("weak_password", `password must be ${MIN_LENGTH}–${MAX_LENGTH} characters`);
  }
  if (password.trim().length === 0)
    throw new TesseraError("weak_password", "password must not be only whitespace");
  if (password.trim().normalize("NFC").toLowerCase() === normalisedEmail) {
    throw new TesseraError("weak_password", "password must not be the e-mail address");
  }
}
