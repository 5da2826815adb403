import { open, seal } from "../crypto/seal.js";
import { TesseraError } from "../errors.js";
import type { Store } from "../store.js";
import { signingKeySealKey } from "./seal-key.js";

/**
 * Re-seal every stored signing key (retired ones too) under a new master key, in one store
 * transaction. Keys already sealed under the new master key are left alone, so running it twice
 * is harmless. Running instances keep working: they hold their keys imported in memory, and new
 * instances start with the new master key. Throws `master_key_mismatch` when a key opens with
 * neither. Returns how many keys were re-sealed.
 *
 * @example
 * const count = await rewrapSigningKeys({ store, oldMasterKey, newMasterKey });
 */
export async function rewrapSigningKeys(input: {
  store: Store;
  oldMasterKey: Uint8Array;
  newMasterKey: Uint8Array;
}): Promise<number> {
  for (const k of [input.oldMasterKey, input.newMasterKey]) {
    if (!(k instanceof Uint8Array) || k.length !== 32)
      throw new TypeError("Tessera: master keys must be 32 bytes");
  }
  const oldKey = signingKeySealKey(input.oldMasterKey);
  const newKey = signingKeySealKey(input.newMasterKey);
  const updates: Array<{ kid: string; privateSealed: string }> = [];
  for (const record of await input.store.listSigningKeys()) {
    const plain = open(oldKey, record.privateSealed, record.kid);
    if (plain === null) {
      if (open(newKey, record.privateSealed, record.kid) !== null) continue;
      throw new TesseraError("master_key_mismatch", "a stored signing key opens with neither master key");
    }
    updates.push({ kid: record.kid, privateSealed: seal(newKey, plain, record.kid) });
    plain.fill(0);
  }
  if (updates.length > 0) await input.store.applyKeyChanges({ updates });
  return updates.length;
}
