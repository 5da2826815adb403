import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const KEY_BYTES = 32;

/**
 * Decodes a 32-byte master key given as hex, base64 or base64url. Returns `null` for anything
 * that is not exactly 32 bytes in one of those encodings.
 *
 * @example
 * parseMasterKey("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"); // Uint8Array(32)
 */
export function parseMasterKey(text: string): Uint8Array | null {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return new Uint8Array(Buffer.from(value, "hex"));
  if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (bytes.length === KEY_BYTES) return new Uint8Array(bytes);
  }
  return null;
}

/**
 * Development only: reads `<dataDir>/master.key`, or creates it (32 random bytes, base64url,
 * file mode 0600 in a 0700 directory) on first run. Several processes starting together agree
 * on one key because the file is created exclusively.
 *
 * @example
 * const { key, created } = loadOrCreateDevMasterKey("./data");
 */
export function loadOrCreateDevMasterKey(dataDir: string): {
  key: Uint8Array;
  path: string;
  created: boolean;
} {
  const path = join(dataDir, "master.key");
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, `${randomBytes(KEY_BYTES).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
    return { key: readKey(path), path, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return { key: readKey(path), path, created: false };
  }
}

function readKey(path: string): Uint8Array {
  const key = parseMasterKey(readFileSync(path, "utf8"));
  if (!key) throw new Error(`${path} does not hold a 32-byte key (hex, base64 or base64url)`);
  return key;
}
