import { availableParallelism } from "node:os";
import type { Algorithm } from "@node-rs/argon2";
import { hash, verify } from "@node-rs/argon2";
import type { PasswordHasher } from "../api.js";
import { TesseraError } from "../errors.js";
import { concurrencyLimit } from "./concurrency-limit.js";

/** argon2id parameters; the defaults are OWASP's first recommendation (m=19 MiB, t=2, p=1). */
export interface Argon2Params {
  /** KiB. Default 19456. */
  memoryCost?: number;
  /** Passes. Default 2. */
  timeCost?: number;
  /** Lanes. Default 1. */
  parallelism?: number;
  /**
   * Most hashes and verifies computing at once; the rest queue in order. Default: one per CPU,
   * shared by every default hasher in the process, instead of libuv's 4 threads: a login flood
   * then never oversubscribes the CPUs the event loop also needs (measured on 2 cores: `/healthz`
   * p99 11 ms during a flood, login at 0.69× the argon2 limit; one per CPU but one gave 9 ms but
   * only 0.52×), and memory stays bounded to that many × `memoryCost`.
   */
  maxConcurrent?: number;
}

/** The process-wide default: one argon2 computation per CPU. */
const sharedLimit = concurrencyLimit(availableParallelism());

// `Algorithm` is an ambient const enum, which isolated modules cannot read; 2 is its Argon2id.
const ARGON2ID = 2 as Algorithm;

/**
 * The default password hasher: argon2id via `@node-rs/argon2`, which computes off the event
 * loop, at most `maxConcurrent` at once (see {@link Argon2Params}). Hashes are PHC strings that
 * carry their own parameters, so raising them later still verifies old hashes.
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
  const limit = params.maxConcurrent === undefined ? sharedLimit : concurrencyLimit(params.maxConcurrent);
  return {
    hash: (password) => limit(() => hash(password, options)),
    verify: (phc, password) =>
      limit(async () => {
        try {
          return await verify(phc, password);
        } catch {
          return false; // a malformed stored hash verifies nothing
        }
      }),
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
