import { createHash } from "node:crypto";
import type { Store } from "../store.js";

/**
 * Remembers proof ids (`jti`) until they can no longer be accepted anyway (RFC 9449 §11.1).
 * `remember` is atomic: of any number of concurrent calls with one key, exactly one gets `true`.
 */
export interface DpopReplayCache {
  /** `true` the first time `key` is seen (until `expiresAt`, ms); `false` for a replay. */
  remember(key: string, expiresAt: number, now: number): Promise<boolean>;
}

/**
 * The replay cache kept in the store (SQLite, PostgreSQL): shared by every instance on that store.
 *
 * @example
 * const replay = storeReplayCache(store);
 */
export function storeReplayCache(store: Store): DpopReplayCache {
  return { remember: (key, expiresAt, now) => store.rememberDpopJti(key, expiresAt, now) };
}

/**
 * The cache key of a proof: a fixed-length hash of the key thumbprint and the `jti`, so ids are
 * unique per key (as RFC 9449 §4.3 allows) and an attacker-chosen `jti` never becomes a long key.
 *
 * @example
 * replayKey(jkt, jti); // 43 base64url characters
 */
export function replayKey(jkt: string, jti: string): string {
  return createHash("sha256").update(`${jkt}\u0000${jti}`, "utf8").digest("base64url");
}
