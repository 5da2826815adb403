import { createHmac, createSecretKey, timingSafeEqual } from "node:crypto";
import type { Clock } from "../clock.js";

/** Server nonces (RFC 9449 §8): issued in `DPoP-Nonce`, checked in a proof's `nonce` claim. */
export interface DpopNonces {
  /** The current nonce (the same for every caller within one time bucket). */
  current(): string;
  /** Whether `nonce` was issued in the current or the previous bucket. */
  isValid(nonce: unknown): boolean;
}

const VERSION = "n1";
const MAC_BYTES = 16;

/**
 * Stateless, time-bucketed nonces: `n1.<bucket>.<HMAC-SHA256(key, bucket)[:16]>`. Every instance
 * that shares the key (derived from the master key) issues and accepts the same nonces, so no
 * nonce store is needed; a nonce lives one to two periods.
 *
 * @example
 * const nonces = createDpopNonces({ key, clock, periodMs: 60_000 });
 * reply.header("dpop-nonce", nonces.current());
 */
export function createDpopNonces(options: { key: Uint8Array; clock: Clock; periodMs?: number }): DpopNonces {
  const { key, clock } = options;
  const periodMs = options.periodMs ?? 60_000;
  if (key.length < 32) throw new TypeError("createDpopNonces: key must be at least 32 bytes");
  if (!Number.isInteger(periodMs) || periodMs < 1000)
    throw new TypeError("createDpopNonces: periodMs >= 1000");

  // Made once: on Node 22+ an HMAC keyed with raw bytes rebuilds a key object on every call.
  const macKey = createSecretKey(key);
  const mac = (bucket: number): Buffer =>
    createHmac("sha256", macKey).update(`tessera/dpop-nonce/v1:${bucket}`).digest().subarray(0, MAC_BYTES);
  const format = (bucket: number): string =>
    `${VERSION}.${bucket.toString(36)}.${mac(bucket).toString("base64url")}`;
  const bucketNow = (): number => Math.floor(clock.now() / periodMs);

  return {
    current: () => format(bucketNow()),
    isValid(nonce: unknown): boolean {
      if (typeof nonce !== "string" || nonce.length > 64) return false;
      const parts = nonce.split(".");
      if (parts.length !== 3 || parts[0] !== VERSION || !/^[0-9a-z]{1,12}$/.test(parts[1] ?? ""))
        return false;
      const bucket = Number.parseInt(parts[1] as string, 36);
      const now = bucketNow();
      if (bucket !== now && bucket !== now - 1) return false;
      const given = Buffer.from(parts[2] ?? "", "base64url");
      return given.length === MAC_BYTES && timingSafeEqual(given, mac(bucket));
    },
  };
}
