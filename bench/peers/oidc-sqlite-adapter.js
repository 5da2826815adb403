// The better-sqlite3 build for this Node (13 on Node >= 22, 12 on Node 20), as the store loads it.
import { SqliteDatabase as Database } from "@tessera/store-sqlite";

/**
 * A SQLite adapter for node-oidc-provider, written to its documented Adapter interface
 * (https://github.com/panva/node-oidc-provider/blob/main/example/my_adapter.js): one table for
 * every model, the payload as JSON, and the three secondary lookups the interface asks for
 * (grant id, user code, session uid). Bench-only: it exists so the peers benchmark can run the
 * provider on the same kind of store as Tessera (WAL, synchronous=NORMAL, as Tessera's SQLite
 * store sets them).
 */

/** @type {Map<string, Database.Database>} */
const databases = new Map();

/** @param {string} path */
function open(path) {
  let db = databases.get(path);
  if (db) return db;
  db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(`CREATE TABLE IF NOT EXISTS oidc_models (
    model TEXT NOT NULL,
    id TEXT NOT NULL,
    payload TEXT NOT NULL,
    grant_id TEXT,
    user_code TEXT,
    uid TEXT,
    expires_at INTEGER,
    consumed_at INTEGER,
    PRIMARY KEY (model, id)
  );
  CREATE INDEX IF NOT EXISTS oidc_models_grant ON oidc_models (grant_id);
  CREATE INDEX IF NOT EXISTS oidc_models_user_code ON oidc_models (model, user_code);
  CREATE INDEX IF NOT EXISTS oidc_models_uid ON oidc_models (model, uid);`);
  databases.set(path, db);
  return db;
}

/** Models whose rows belong to a grant (revokeByGrantId removes them). */
const GRANTABLE = new Set([
  "AccessToken",
  "AuthorizationCode",
  "RefreshToken",
  "DeviceCode",
  "BackchannelAuthenticationRequest",
]);

/**
 * An adapter class bound to the SQLite file at `path`: pass the result as `adapter` in the
 * provider's configuration.
 *
 * @example
 * const provider = new Provider(issuer, { adapter: sqliteAdapter("/tmp/oidc.db"), ... });
 *
 * @param {string} path
 */
export function sqliteAdapter(path) {
  const db = open(path);
  const upsert = db.prepare(
    `INSERT INTO oidc_models (model, id, payload, grant_id, user_code, uid, expires_at, consumed_at)
     VALUES (@model, @id, @payload, @grantId, @userCode, @uid, @expiresAt, NULL)
     ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
       user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`,
  );
  const find = db.prepare(
    "SELECT payload, expires_at, consumed_at FROM oidc_models WHERE model = ? AND id = ?",
  );
  const findByUserCode = db.prepare(
    "SELECT payload, expires_at, consumed_at FROM oidc_models WHERE model = ? AND user_code = ?",
  );
  const findByUid = db.prepare(
    "SELECT payload, expires_at, consumed_at FROM oidc_models WHERE model = ? AND uid = ?",
  );
  const consume = db.prepare("UPDATE oidc_models SET consumed_at = ? WHERE model = ? AND id = ?");
  const destroy = db.prepare("DELETE FROM oidc_models WHERE model = ? AND id = ?");
  const revokeByGrantId = db.prepare("DELETE FROM oidc_models WHERE grant_id = ? AND model = ?");

  /** @param {{ payload: string, expires_at: number | null, consumed_at: number | null } | undefined} row */
  const payloadOf = (row) => {
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= Date.now()) return undefined;
    const payload = JSON.parse(row.payload);
    return row.consumed_at === null ? payload : { ...payload, consumed: row.consumed_at };
  };

  return class SqliteAdapter {
    /** @param {string} model */
    constructor(model) {
      this.model = model;
    }

    /**
     * @param {string} id
     * @param {Record<string, unknown>} payload
     * @param {number | undefined} expiresIn seconds
     */
    async upsert(id, payload, expiresIn) {
      upsert.run({
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grantId: GRANTABLE.has(this.model) ? (payload.grantId ?? null) : null,
        userCode: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expiresAt: typeof expiresIn === "number" ? Date.now() + expiresIn * 1000 : null,
      });
    }

    /** @param {string} id */
    async find(id) {
      return payloadOf(/** @type {never} */ (find.get(this.model, id)));
    }

    /** @param {string} userCode */
    async findByUserCode(userCode) {
      return payloadOf(/** @type {never} */ (findByUserCode.get(this.model, userCode)));
    }

    /** @param {string} uid */
    async findByUid(uid) {
      return payloadOf(/** @type {never} */ (findByUid.get(this.model, uid)));
    }

    /** @param {string} id */
    async consume(id) {
      consume.run(Math.floor(Date.now() / 1000), this.model, id);
    }

    /** @param {string} id */
    async destroy(id) {
      destroy.run(this.model, id);
    }

    /** @param {string} grantId */
    async revokeByGrantId(grantId) {
      revokeByGrantId.run(grantId, this.model);
    }
  };
}
