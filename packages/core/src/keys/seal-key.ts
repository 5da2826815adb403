import { deriveKey } from "../crypto/seal.js";

/**
 * The key that seals signing keys at rest, derived from the 32-byte master key with its own HKDF
 * label (the master key itself never encrypts anything directly).
 *
 * @example
 * const sealKey = signingKeySealKey(masterKey);
 */
export function signingKeySealKey(masterKey: Uint8Array): Buffer {
  return deriveKey(masterKey, "", "tessera/keys/v1");
}
