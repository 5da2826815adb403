import { isSameKeyRing, type KeyChanges, type SigningKeyRecord, TesseraError } from "@tessera/core";
import type { Db } from "./db.js";
import { type SigningKeyRow, toSigningKey } from "./rows.js";

const KEY_COLUMNS = "kid, alg, status, public_jwk, private_sealed, created_at, activated_at, retired_at";

export async function listSigningKeys(db: Db): Promise<SigningKeyRecord[]> {
  const rows = await db.query<SigningKeyRow>(
    `SELECT ${KEY_COLUMNS} FROM tessera_signing_keys ORDER BY created_at, kid`,
  );
  return rows.map(toSigningKey);
}

// Fields an update may set, and their columns; only the fields present in an update are written.
const UPDATABLE = {
  status: "status",
  activatedAt: "activated_at",
  retiredAt: "retired_at",
  privateSealed: "private_sealed",
} as const;

/** All inserts and updates commit together or not at all (a key rotation is never half done). */
export async function applyKeyChanges(db: Db, changes: KeyChanges): Promise<void> {
  await db.transaction(async (tx) => {
    if (changes.expect !== undefined) {
      // Serialise ring changes: SHARE ROW EXCLUSIVE conflicts with itself and with every write, so
      // the ring read here cannot change before this transaction commits (READ COMMITTED alone
      // would let two planners both see the old ring).
      await tx.query("LOCK TABLE tessera_signing_keys IN SHARE ROW EXCLUSIVE MODE");
      const stored = await tx.query<{ kid: string; status: string }>(
        "SELECT kid, status FROM tessera_signing_keys",
      );
      if (!isSameKeyRing(stored, changes.expect)) {
        throw new TesseraError("key_ring_changed", "the key ring changed");
      }
    }
    for (const key of changes.inserts ?? []) {
      await tx.query(
        `INSERT INTO tessera_signing_keys (${KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          key.kid,
          key.alg,
          key.status,
          key.publicJwk,
          key.privateSealed,
          key.createdAt,
          key.activatedAt,
          key.retiredAt,
        ],
      );
    }
    for (const update of changes.updates ?? []) {
      const sets: string[] = [];
      const params: unknown[] = [update.kid];
      for (const [field, column] of Object.entries(UPDATABLE) as Array<[keyof typeof UPDATABLE, string]>) {
        const value = update[field];
        if (value === undefined) continue;
        params.push(value);
        sets.push(`${column} = $${params.length}`);
      }
      // An update of an unknown kid fails the whole batch rather than silently doing nothing.
      const sql =
        sets.length === 0
          ? "SELECT kid FROM tessera_signing_keys WHERE kid = $1"
          : `UPDATE tessera_signing_keys SET ${sets.join(", ")} WHERE kid = $1 RETURNING kid`;
      const touched = await tx.query(sql, params);
      if (touched.length === 0) throw new TesseraError("not_found", "no signing key with that kid");
    }
  });
}
