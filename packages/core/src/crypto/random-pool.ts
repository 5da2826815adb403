import { randomBytes, randomFillSync } from "node:crypto";

/**
 * Random bytes from the CSPRNG, drawn 4 KiB at a time: each `randomBytes` call has a fixed cost
 * (a call into OpenSSL and, under load, the kernel) several times that of copying a few dozen
 * bytes, and a refresh needs two small draws (the new token, the seal's IV). The same technique
 * as Node's own `randomUUID` entropy cache. Every byte is handed out once, as a copy: no caller
 * holds a view of the pool, so none can read bytes handed to another.
 */

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/**
 * `size` fresh random bytes (a new Buffer the caller owns).
 *
 * @example
 * const iv = randomFromPool(12);
 */
export function randomFromPool(size: number): Buffer {
  if (size > POOL_BYTES / 4) return randomBytes(size);
  if (offset + size > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafeSlow(POOL_BYTES));
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + size));
  // Spent bytes do not stay in memory beside the ones still to come.
  pool.fill(0, offset, offset + size);
  offset += size;
  return out;
}
