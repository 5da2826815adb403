/**
 * Where a verifier remembers DPoP proof ids (`jti`) so that a proof is accepted once
 * (RFC 9449 §11.1). `remember` returns `true` the first time a key is seen before `expiresAt` (ms).
 * A shared implementation (Redis `SET key 1 NX PX ttl`, a database row) makes replay protection
 * hold across every process of a resource server; the default is per process.
 */
export interface DpopReplayCache {
  remember(key: string, expiresAt: number, now: number): boolean | Promise<boolean>;
}

/**
 * The default replay cache: an in-memory map of at most `maxEntries` live ids, oldest evicted
 * first. **Per process**: behind a load balancer a proof replayed to another process is not
 * caught — pass a shared cache (`dpop: { replay }`) there. When full of live entries, the oldest
 * is evicted; a proof that old is within seconds of its `iat` window closing.
 *
 * @example
 * const verifier = createVerifier({ issuer, audience, dpop: { replay: memoryReplayCache(50_000) } });
 */
export function memoryReplayCache(maxEntries = 100_000): DpopReplayCache {
  if (!Number.isInteger(maxEntries) || maxEntries < 1)
    throw new TypeError("memoryReplayCache: maxEntries >= 1");
  // Map keeps insertion order, and entries are inserted with (nearly) increasing expiry.
  const entries = new Map<string, number>();
  return {
    remember(key, expiresAt, now) {
      const seen = entries.get(key);
      if (seen !== undefined && seen > now) return false;
      if (seen !== undefined) entries.delete(key);
      for (const [oldKey, oldExpiry] of entries) {
        if (oldExpiry > now && entries.size < maxEntries) break;
        entries.delete(oldKey);
      }
      entries.set(key, expiresAt);
      return true;
    },
  };
}
