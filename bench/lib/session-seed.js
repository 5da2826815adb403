import { createHash, randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { createSqliteStore, SqliteDatabase } from "@tessera/store-sqlite";
import { CLIENT, fillUsersAndSessions, seedTessera } from "./seed.js";

/** The server-session store of the session bench (lib/session-bench.js). */

const DAY = 86_400_000;
const HOUR = 3_600_000;

/**
 * A migrated SQLite file in `dir` holding `count` live server sessions (kind `server`, 10 per
 * user), bulk-inserted with prepared statements in one transaction: ids, secret hashes (base64url
 * SHA-256 of a 256-bit secret), lifetimes and client context of the shapes core's login writes.
 * Returns the cookie values (`tss_<id>.<secret>`) of `sample` of them, shuffled.
 *
 * @example
 * const store = await seedServerSessions(tmp, 1_000_000, 20_000);
 *
 * @param {string} dir
 * @param {number} count
 * @param {number} sample
 */
export async function seedServerSessions(dir, count, sample) {
  const path = join(dir, "server-sessions.db");
  const masterKey = randomBytes(32);
  const store = createSqliteStore({ path });
  await store.migrate();
  await seedTessera(store, new Uint8Array(masterKey)); // creates the signing keys the server will read
  await store.close();

  const db = new SqliteDatabase(path);
  db.pragma("synchronous = OFF");
  db.pragma("cache_size = -262144"); // 256 MB, for this connection only
  const session = db.prepare(
    `INSERT INTO sessions (id, kind, user_id, client_id, scope, created_at, expires_at, last_used_at,
       ip, user_agent, last_ip, last_user_agent, secret_hash, idle_timeout_ms)
     VALUES (?, 'server', ?, 'tessera', NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const every = Math.max(1, Math.floor(count / sample));
  /** @type {string[]} */
  const cookies = [];
  const now = Date.now();
  fillUsersAndSessions(db, count, "server", (i, userId, created, ip) => {
    const id = randomUUID();
    const secret = randomBytes(32).toString("base64url");
    const hash = createHash("sha256").update(secret, "utf8").digest("base64url");
    // Last used an hour ago: live (12 h idle timeout), and due for its once-a-minute last-use
    // write, which the untimed first validation of each sampled session makes — so the timed
    // calls that follow within the minute write nothing, however long the seeding took.
    session.run(
      id,
      userId,
      created,
      created + 30 * DAY,
      now - HOUR,
      ip,
      CLIENT.userAgent,
      ip,
      CLIENT.userAgent,
      hash,
      12 * HOUR,
    );
    if (i % every === 0 && cookies.length < sample) cookies.push(`tss_${id}.${secret}`);
  });
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  for (let i = cookies.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [cookies[i], cookies[j]] = [cookies[j], cookies[i]];
  }
  return { path, masterKeyHex: masterKey.toString("hex"), cookies, sessions: count };
}
