/**
 * Redis could not answer (or the revocation source is not loaded, closed or stale): fail closed.
 * `code` is `store_unavailable`, the code `@tessera/core`'s `TesseraError` uses for the same
 * condition; this package keeps its own class so that resource servers using the revocation
 * source do not install `@tessera/core` (and its native password hasher).
 *
 * @example
 * if (error instanceof RedisUnavailableError) res.status(503);
 */
export class RedisUnavailableError extends Error {
  override readonly name = "RedisUnavailableError";
  readonly code = "store_unavailable" as const;

  constructor(message = "store_unavailable", options?: { cause?: unknown }) {
    super(message, options);
  }
}
