import type { PasswordHasher } from "@tessera/core";
import { createTestHasher } from "@tessera/core/testing";

/** A real (cheap) argon2id hasher that counts its calls, so tests can prove which path ran. */
export interface CountingHasher extends PasswordHasher {
  readonly calls: { hash: number; verify: number };
  reset(): void;
}

/**
 * Wraps a hasher and counts `hash` and `verify` calls.
 *
 * @example
 * const hasher = countingHasher();
 * await hasher.verify(hash, "pw"); hasher.calls.verify; // 1
 */
export function countingHasher(inner: PasswordHasher = createTestHasher()): CountingHasher {
  const calls = { hash: 0, verify: 0 };
  return {
    calls,
    reset() {
      calls.hash = 0;
      calls.verify = 0;
    },
    async hash(password) {
      calls.hash += 1;
      return inner.hash(password);
    },
    async verify(hash, password) {
      calls.verify += 1;
      return inner.verify(hash, password);
    },
  };
}
