import { randomBytes, randomUUID } from "node:crypto";
import { createArgon2Hasher, createTessera } from "@tessera/core";
import { SqliteDatabase as Database } from "@tessera/store-sqlite";

/**
 * Test data written before a server starts: sessions to refresh, users to log in, and the bulk
 * filler that grows a SQLite store to a million sessions.
 */

/** The context every benchmark session is created from and refreshed with (no context-change audits). */
export const CLIENT = {
  ip: "127.0.0.1",
  userAgent:
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
};
export const ISSUER = "http://localhost:3000";
export const AUDIENCE = "tessera";
export const LOGIN_PASSWORD = "correct horse battery staple";

const SESSIONS_PER_USER = 10;

/**
 * A token service over `store` configured like the server the bench starts (same issuer, audience,
 * master key, defaults), with a cheap argon2 setting so seeding thousands of logins takes seconds.
 * Users it creates can only log in through another instance with the same cheap hasher — which is
 * fine: they exist to hold sessions.
 *
 * @param {import("@tessera/core").Store} store
 * @param {Uint8Array} masterKey
 * @param {import("@tessera/core").PasswordHasher} [passwordHasher]
 */
export function seedTessera(store, masterKey, passwordHasher) {
  return createTessera({
    store,
    masterKey,
    issuer: ISSUER,
    audience: AUDIENCE,
    passwordHasher: passwordHasher ?? createArgon2Hasher({ memoryCost: 8, timeCost: 1, parallelism: 1 }),
  });
}

/**
 * Creates `count` live sessions through core's own login (so every row is exactly what the server
 * writes), 10 per user; returns each session's current refresh token and CSRF token.
 *
 * @example
 * const sessions = await createSessions(tessera, 5000);
 *
 * @param {import("@tessera/core").Tessera} tessera
 * @param {number} count
 * @returns {Promise<Array<{ token: string, csrfToken: string }>>}
 */
export async function createSessions(tessera, count) {
  const prefix = randomBytes(4).toString("hex");
  const sessions = [];
  const users = Math.ceil(count / SESSIONS_PER_USER);
  const password = "bench-only password";
  for (let u = 0; u < users; u++) {
    const email = `refresh-${prefix}-${u}@bench.example`;
    await tessera.adminCreateUser(email, password);
    const batch = [];
    for (let s = 0; s < SESSIONS_PER_USER && sessions.length + batch.length < count; s++) {
      batch.push(tessera.login({ email, password, context: CLIENT }));
    }
    for (const set of await Promise.all(batch)) {
      sessions.push({ token: set.refreshToken, csrfToken: set.csrfToken });
    }
  }
  return sessions;
}

/**
 * Creates `count` users whose password hash uses the production argon2id parameters
 * (m=19456 KiB, t=2, p=1), for the login flood. Returns their e-mails.
 *
 * @param {import("@tessera/core").Store} store
 * @param {Uint8Array} masterKey
 * @param {number} count
 * @returns {Promise<string[]>}
 */
export async function createLoginUsers(store, masterKey, count) {
  const tessera = await seedTessera(store, masterKey, createArgon2Hasher());
  const prefix = randomBytes(4).toString("hex");
  const emails = Array.from({ length: count }, (_, i) => `login-${prefix}-${i}@bench.example`);
  await Promise.all(emails.map((email) => tessera.adminCreateUser(email, LOGIN_PASSWORD)));
  return emails;
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * A refresh-token id of the shape core's `generateRefreshToken(created)` makes: the creation time
 * as 8 base-62 digits, then 14 random base64url characters.
 *
 * @param {number} created
 */
function tokenId(created) {
  let rest = created;
  let time = "";
  for (let i = 0; i < 8; i++) {
    time = BASE62[rest % 62] + time;
    rest = Math.floor(rest / 62);
  }
  return time + randomBytes(11).toString("base64url").slice(0, 14);
}

/**
 * The loop both bulk fillers share: in one transaction on `db`, `count` sessions, a new user (a
 * well-formed argon2id PHC string of the real size; nobody logs in as these users) before every
 * tenth; `eachSession` inserts session `i` of `userId`, created at `created` (within the last 20
 * days) from `ip` (distinct per session).
 *
 * @example
 * fillUsersAndSessions(db, 1000, "filler", (i, userId, created, ip) => session.run(...));
 *
 * @param {import("better-sqlite3").Database} db
 * @param {number} count
 * @param {string} prefix of the users' e-mails
 * @param {(i: number, userId: string, created: number, ip: string) => void} eachSession
 */
export function fillUsersAndSessions(db, count, prefix, eachSession) {
  const day = 86_400_000;
  const now = Date.now();
  const user = db.prepare(
    "INSERT INTO users (id, email, password_hash, created_at, token_epoch) VALUES (?, ?, ?, ?, 0)",
  );
  const phc = `$argon2id$v=19$m=19456,t=2,p=1$${randomBytes(16).toString("base64").replace(/=+$/, "")}$${randomBytes(32).toString("base64").replace(/=+$/, "")}`;
  db.transaction(() => {
    let userId = "";
    for (let i = 0; i < count; i++) {
      const created = now - Math.floor(Math.random() * 20 * day);
      if (i % SESSIONS_PER_USER === 0) {
        userId = randomUUID();
        user.run(userId, `${prefix}-${userId}@bench.example`, phc, created);
      }
      eachSession(i, userId, created, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    }
  })();
}

/**
 * Grows a migrated SQLite store by `count` sessions (10 per user), each with its live refresh
 * token and its login audit event, written with prepared statements in one transaction straight
 * into the file — a million rows through the HTTP API would take hours. The rows have the shapes
 * and sizes core writes (UUID ids, time-ordered token ids, base64url hashes, the same user agent), so the
 * B-trees the server walks are as deep as in a real store of that size.
 *
 * @example
 * growSqliteStore("/tmp/bench/tessera.db", 1_000_000);
 *
 * @param {string} path
 * @param {number} count
 */
export function growSqliteStore(path, count) {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  db.pragma("cache_size = -2097152"); // 2 GiB, this connection only: a 10M store's random index inserts mostly hit it
  const day = 86_400_000;
  const session = db.prepare(
    `INSERT INTO sessions (id, user_id, client_id, scope, created_at, expires_at, last_used_at, ip, user_agent, last_ip, last_user_agent)
     VALUES (?, ?, 'tessera', NULL, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const token = db.prepare(
    `INSERT INTO refresh_tokens (id, session_id, secret_hash, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?)`,
  );
  const audit = db.prepare(
    `INSERT INTO audit_events (at, type, outcome, user_id, session_id, ip, user_agent, data)
     VALUES (?, 'login.succeeded', 'success', ?, ?, ?, ?, '{}')`,
  );
  fillUsersAndSessions(db, count, "filler", (_i, userId, created, ip) => {
    const sessionId = randomUUID();
    session.run(
      sessionId,
      userId,
      created,
      created + 30 * day,
      created,
      ip,
      CLIENT.userAgent,
      ip,
      CLIENT.userAgent,
    );
    token.run(tokenId(created), sessionId, randomBytes(32).toString("base64url"), created, created + 7 * day);
    audit.run(created, userId, sessionId, ip, CLIENT.userAgent);
  });
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}
