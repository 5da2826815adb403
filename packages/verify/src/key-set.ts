import { type Algorithm, sameAlgorithm } from "./algorithms.js";
import type { CryptoBackend, ImportedKey } from "./backend.js";
import { checkJwk } from "./jwk.js";

/** A key the set refused, with the reason (never key material). */
export interface RejectedKey {
  index: number;
  kid: string | undefined;
  reason: string;
}

/**
 * Imported verification keys, looked up by `kid` (a `Map`, so a `kid` of `__proto__` or
 * `../../etc/passwd` is just an unknown string). Keys sharing a `kid` are ambiguous and
 * dropped. A header without `kid` matches only when exactly one key is bound to its `alg`.
 */
export class KeySet {
  readonly #byKid = new Map<string, ImportedKey>();
  readonly #all: readonly ImportedKey[];

  /**
   * @example
   * const set = new KeySet([await backend.importKey(checked)]);
   */
  constructor(keys: readonly ImportedKey[]) {
    const duplicated = new Set<string>();
    for (const key of keys) {
      if (key.kid === undefined) continue;
      if (this.#byKid.has(key.kid)) duplicated.add(key.kid);
      else this.#byKid.set(key.kid, key);
    }
    for (const kid of duplicated) this.#byKid.delete(kid);
    this.#all = keys.filter((k) => k.kid === undefined || !duplicated.has(k.kid));
  }

  get size(): number {
    return this.#all.length;
  }

  /**
   * The key for a token header; `undefined` when none (or more than one) fits.
   *
   * @example
   * set.find("kid-1", "EdDSA");
   */
  find(kid: string | undefined, alg: Algorithm): ImportedKey | undefined {
    if (kid !== undefined) return this.#byKid.get(kid);
    let found: ImportedKey | undefined;
    for (const key of this.#all) {
      if (!sameAlgorithm(key.alg, alg)) continue;
      if (found) return undefined;
      found = key;
    }
    return found;
  }

  /** Whether a `kid` is known. */
  has(kid: string): boolean {
    return this.#byKid.has(kid);
  }
}

/**
 * Check and import a list of JWKs. `strict` (local configuration) throws on the first refused
 * key, on duplicate `kid`s and on a mix of symmetric and asymmetric keys (Wycheproof's
 * MixedKeySet and DuplicateKid cases); otherwise (a fetched JWKS) refused keys are skipped and
 * reported.
 *
 * @example
 * const { keys } = await importKeys(jwks.keys, backend, { allowSymmetric: false, strict: false });
 */
export async function importKeys(
  jwks: readonly unknown[],
  backend: CryptoBackend,
  options: { allowSymmetric: boolean; strict: boolean },
): Promise<{ keys: KeySet; rejected: RejectedKey[] }> {
  const imported: ImportedKey[] = [];
  const rejected: RejectedKey[] = [];
  const kids = new Set<string>();
  let symmetric = 0;
  for (const [index, jwk] of jwks.entries()) {
    const kid = (jwk as { kid?: unknown } | null)?.kid;
    const label = typeof kid === "string" ? kid : undefined;
    const checked = checkJwk(jwk, { allowSymmetric: options.allowSymmetric });
    let reason: string | undefined;
    if (!checked.ok) {
      reason = checked.reason;
    } else {
      try {
        imported.push(await backend.importKey(checked.key));
        if (checked.key.jwk.kty === "oct") symmetric++;
        if (label !== undefined) {
          if (kids.has(label)) reason = "duplicate kid";
          kids.add(label);
        }
      } catch {
        reason = "the runtime refused the key";
      }
    }
    if (reason !== undefined) {
      if (options.strict)
        throw new TypeError(`key ${index}${label ? ` (kid ${label})` : ""} refused: ${reason}`);
      rejected.push({ index, kid: label, reason });
    }
  }
  if (options.strict && symmetric > 0 && symmetric < imported.length) {
    throw new TypeError("keys mix symmetric and asymmetric keys; configure one kind per verifier");
  }
  return { keys: new KeySet(imported), rejected };
}
