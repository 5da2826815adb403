import { createPrivateKey, createPublicKey, createSecretKey } from "node:crypto";
import { open } from "../crypto/seal.js";
import { TesseraError } from "../errors.js";
import type { SigningKeyRecord } from "../store.js";
import { prepareSigningKey, type SigningKey } from "../tokens/access.js";

/**
 * Open a stored key's sealed private part and import it once into `node:crypto` key objects.
 * A seal that does not open means the master key is not the one the key was sealed with.
 *
 * @example
 * const key = loadSigningKey(record, sealKey);
 */
export function loadSigningKey(record: SigningKeyRecord, sealKey: Uint8Array): SigningKey {
  const bytes = open(sealKey, record.privateSealed, record.kid);
  if (bytes === null) {
    throw new TesseraError("master_key_mismatch", "a stored signing key does not open with this master key");
  }
  try {
    if (record.alg === "HS256") {
      const secret = createSecretKey(bytes);
      return prepareSigningKey(record.kid, record.alg, secret, secret);
    }
    const privateKey = createPrivateKey({ key: bytes, format: "der", type: "pkcs8" });
    return prepareSigningKey(record.kid, record.alg, privateKey, createPublicKey(privateKey));
  } finally {
    bytes.fill(0);
  }
}
