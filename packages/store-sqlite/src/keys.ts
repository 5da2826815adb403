import type { KeyChanges, SigningKeyRecord } from "@tessera/core";
import { isSameKeyRing, TesseraError } from "@tessera/core";
import type { SqliteHandle } from "./handle.js";
import { INSERT_KEY, KEY_COLUMNS } from "./rows.js";

// One statement for every partial update: a `set*` flag says whether the field was given, so a
// field can be set to null and an absent field is left alone.
const UPDATE_KEY = `UPDATE signing_keys SET
  status = CASE WHEN @setStatus THEN @status ELSE status END,
  activated_at = CASE WHEN @setActivatedAt THEN @activatedAt ELSE activated_at END,
  retired_at = CASE WHEN @setRetiredAt THEN @retiredAt ELSE retired_at END,
  private_sealed = CASE WHEN @setPrivateSealed THEN @privateSealed ELSE private_sealed END
  WHERE kid = @kid`;

type KeyUpdate = NonNullable<KeyChanges["updates"]>[number];

function updateParams(update: KeyUpdate) {
  return {
    kid: update.kid,
    setStatus: update.status === undefined ? 0 : 1,
    status: update.status ?? null,
    setActivatedAt: update.activatedAt === undefined ? 0 : 1,
    activatedAt: update.activatedAt ?? null,
    setRetiredAt: update.retiredAt === undefined ? 0 : 1,
    retiredAt: update.retiredAt ?? null,
    setPrivateSealed: update.privateSealed === undefined ? 0 : 1,
    privateSealed: update.privateSealed ?? null,
  };
}

/** Signing keys: a batch of inserts and partial updates is one transaction. */
export function keyOperations(h: SqliteHandle) {
  const applyKeyChanges = h.immediate((changes: KeyChanges): void => {
    if (changes.expect !== undefined) {
      // Read inside the IMMEDIATE transaction: no other writer can change the ring until commit.
      const stored = h.sql("SELECT kid, status FROM signing_keys").all() as Array<{
        kid: string;
        status: string;
      }>;
      if (!isSameKeyRing(stored, changes.expect))
        throw new TesseraError("key_ring_changed", "the key ring changed");
    }
    for (const key of changes.inserts ?? []) h.sql(INSERT_KEY).run(key);
    for (const update of changes.updates ?? []) {
      // An update of an unknown kid fails the whole batch rather than silently doing nothing.
      if (h.sql(UPDATE_KEY).run(updateParams(update)).changes === 0) {
        throw new TesseraError("not_found", "no signing key with that kid");
      }
    }
  });

  return {
    applyKeyChanges,

    listSigningKeys(): SigningKeyRecord[] {
      return h
        .sql(`SELECT ${KEY_COLUMNS} FROM signing_keys ORDER BY created_at, kid`)
        .all() as SigningKeyRecord[];
    },
  };
}
