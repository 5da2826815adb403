import type { Algorithm } from "./algorithms.js";
import type { CryptoBackend, ImportedKey } from "./backend.js";
import { importKeys, type KeySet, type RejectedKey } from "./key-set.js";
import type { VerifierClock } from "./types.js";

/** Options of {@link RemoteKeySet}. */
export interface RemoteKeySetOptions {
  uri: URL;
  backend: CryptoBackend;
  fetch: typeof globalThis.fetch;
  clock: VerifierClock;
  /** Request timeout. */
  timeoutMs: number;
  /** Minimum time between fetches caused by unknown `kid`s (1 s while no set was ever loaded). */
  cooldownMs: number;
  /** Age after which a set is refreshed in the background while it keeps serving. */
  maxAgeMs: number;
  /** Told about fetch failures and refused keys; never about tokens. */
  onEvent?: (event: JwksEvent) => void;
}

/** What happened to the JWKS cache, for logs and metrics. */
export type JwksEvent =
  | { type: "loaded"; keys: number; rejected: readonly RejectedKey[] }
  | { type: "fetch_failed"; reason: string };

/** A JWKS is small; anything larger is refused before parsing. */
const MAX_JWKS_BYTES = 256 * 1024;
const COOLDOWN_BEFORE_FIRST_LOAD_MS = 1000;

/**
 * A cached remote JWK Set. Keys are imported once per fetch and looked up by `kid` without
 * network. An unknown `kid` causes at most one fetch per cool-down (single-flight: concurrent
 * requests share it); a failed fetch keeps the last good set, so tokens whose key is cached keep
 * verifying and unknown keys stay unknown. Symmetric (`oct`) keys from a JWKS are ignored.
 *
 * @example
 * const set = new RemoteKeySet({ uri, backend, fetch, clock, timeoutMs: 5000, cooldownMs: 30000, maxAgeMs: 600000 });
 * const key = await set.resolve("kid-1", "EdDSA");
 */
export class RemoteKeySet {
  readonly #options: RemoteKeySetOptions;
  #keys: KeySet | undefined;
  #loadedAt = 0;
  #lastAttempt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;

  constructor(options: RemoteKeySetOptions) {
    this.#options = options;
  }

  /** The key for a header, fetching the set when the `kid` is unknown and the cool-down allows. */
  resolve(
    kid: string | undefined,
    alg: Algorithm,
  ): ImportedKey | undefined | Promise<ImportedKey | undefined> {
    const now = this.#options.clock.now();
    const found = this.#keys?.find(kid, alg);
    if (found) {
      if (
        now - this.#loadedAt >= this.#options.maxAgeMs &&
        now - this.#lastAttempt >= this.#options.cooldownMs
      ) {
        // Stale but serving: refresh behind the request; failures are reported, never thrown.
        this.#refresh().catch(() => {});
      }
      return found;
    }
    const lookUp = () => this.#keys?.find(kid, alg);
    if (this.#inflight) return this.#inflight.then(lookUp, lookUp);
    const cooldown = this.#keys ? this.#options.cooldownMs : COOLDOWN_BEFORE_FIRST_LOAD_MS;
    if (now - this.#lastAttempt < cooldown) return undefined;
    return this.#refresh().then(lookUp, lookUp);
  }

  #refresh(): Promise<void> {
    this.#inflight ??= this.#load().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #load(): Promise<void> {
    const { uri, backend, fetch, clock, timeoutMs, onEvent } = this.#options;
    this.#lastAttempt = clock.now();
    try {
      const response = await fetch(uri, {
        headers: { accept: "application/jwk-set+json, application/json" },
        redirect: "error",
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const text = await response.text();
      if (text.length > MAX_JWKS_BYTES) throw new Error("JWKS too large");
      const body: unknown = JSON.parse(text);
      const list = (body as { keys?: unknown } | null)?.keys;
      if (!Array.isArray(list)) throw new Error("not a JWK Set");
      const { keys, rejected } = await importKeys(list, backend, { allowSymmetric: false, strict: false });
      this.#keys = keys;
      this.#loadedAt = clock.now();
      onEvent?.({ type: "loaded", keys: keys.size, rejected });
    } catch (error) {
      const reason = error instanceof Error ? error.message : "unknown error";
      onEvent?.({ type: "fetch_failed", reason });
      throw error;
    }
  }
}
