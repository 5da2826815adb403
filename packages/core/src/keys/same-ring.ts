import type { SigningKeyRecord } from "../store.js";

type RingEntry = Pick<SigningKeyRecord, "kid"> & { status: string };

/**
 * Whether a stored key ring is exactly the (kid, status) set a change was planned from — the
 * comparison every store makes, inside its transaction, for `KeyChanges.expect`.
 *
 * @example
 * if (!isSameKeyRing(rowsReadInTransaction, changes.expect)) throw new TesseraError("key_ring_changed");
 */
export function isSameKeyRing(stored: readonly RingEntry[], expected: readonly RingEntry[]): boolean {
  const pairs = (ring: readonly RingEntry[]) => ring.map((k) => `${k.kid} ${k.status}`).sort();
  const a = pairs(stored);
  const b = pairs(expected);
  return a.length === b.length && a.every((pair, i) => pair === b[i]);
}
