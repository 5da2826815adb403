import type Database from "better-sqlite3";

/** One schema step. Steps are append-only: a released step is never edited, only followed. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The schema, in order. Times are integer milliseconds since the epoch. Audit ids and revocation
 * cursors use AUTOINCREMENT so a purge of the newest rows can never let a number be reused.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema",
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        token_epoch INTEGER NOT NULL DEFAULT 0
      ) STRICT;

      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        client_id TEXT NOT NULL,
        scope TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        last_used_at INTEGER NOT NULL,
        revoked_at INTEGER,
        revoked_reason TEXT,
        ip TEXT,
        user_agent TEXT,
        last_ip TEXT,
        last_user_agent TEXT,
        dpop_jkt TEXT
      ) STRICT;
      CREATE INDEX sessions_by_user ON sessions (user_id, created_at);
      CREATE INDEX sessions_by_expiry ON sessions (expires_at);
      CREATE INDEX sessions_by_revocation ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;

      CREATE TABLE refresh_tokens (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        secret_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER,
        successor_id TEXT,
        successor_sealed TEXT
      ) STRICT;
      CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);
      CREATE INDEX refresh_tokens_sealed_by_use ON refresh_tokens (used_at) WHERE successor_sealed IS NOT NULL;

      CREATE TABLE signing_keys (
        kid TEXT PRIMARY KEY,
        alg TEXT NOT NULL CHECK (alg IN ('EdDSA', 'ES256', 'RS256', 'HS256')),
        status TEXT NOT NULL CHECK (status IN ('next', 'active', 'previous', 'retired')),
        public_jwk TEXT,
        private_sealed TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        activated_at INTEGER,
        retired_at INTEGER
      ) STRICT;

      CREATE TABLE revocation_events (
        cursor INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('user', 'session')),
        user_id TEXT NOT NULL,
        session_id TEXT,
        epoch INTEGER,
        at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX revocation_events_by_time ON revocation_events (at);

      CREATE TABLE audit_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        type TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
        user_id TEXT,
        session_id TEXT,
        ip TEXT,
        user_agent TEXT,
        data TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_events_by_user ON audit_events (user_id, id);
      CREATE INDEX audit_events_by_type ON audit_events (type, id);
      CREATE INDEX audit_events_by_time ON audit_events (at);
    `,
  },
  {
    version: 2,
    name: "dpop proof ids",
    sql: `
      CREATE TABLE dpop_jtis (
        key TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX dpop_jtis_by_expiry ON dpop_jtis (expires_at);
    `,
  },
  {
    version: 3,
    name: "credential version",
    sql: `
      ALTER TABLE users ADD COLUMN credential_version INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 4,
    name: "user roles and the applied role policy",
    sql: `
      ALTER TABLE users ADD COLUMN roles TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(roles));

      CREATE TABLE role_policy (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        policy TEXT NOT NULL,
        applied_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: "dpop binding at refresh",
    sql: "ALTER TABLE sessions ADD COLUMN dpop_bound_at INTEGER;",
  },
  {
    version: 6,
    name: "disabled users and login tickets",
    sql: `
      ALTER TABLE users ADD COLUMN disabled_at INTEGER;

      CREATE TABLE login_tickets (
        hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        scope TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX login_tickets_by_expiry ON login_tickets (expires_at);
      CREATE INDEX login_tickets_by_user ON login_tickets (user_id);
    `,
  },
  {
    version: 8,
    name: "mail tokens and verified addresses",
    sql: `
      ALTER TABLE users ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 0;

      CREATE TABLE mail_tokens (
        token_hash TEXT PRIMARY KEY,
        purpose TEXT NOT NULL CHECK (purpose IN ('password_reset', 'email_verification')),
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX mail_tokens_by_user ON mail_tokens (user_id, purpose) WHERE used_at IS NULL;
      CREATE INDEX mail_tokens_by_expiry ON mail_tokens (expires_at);
    `,
  },
  {
    version: 9,
    name: "server sessions",
    sql: `
      ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'token' CHECK (kind IN ('token', 'server'));
      ALTER TABLE sessions ADD COLUMN secret_hash TEXT;
      ALTER TABLE sessions ADD COLUMN idle_timeout_ms INTEGER;
    `,
  },
  {
    // Every request of a server-rendered app checks its session: with these, that check reads two
    // index entries and no table row (the primary key of a rowid table leads to the rowid, then
    // the row: two searches per table). Only server sessions are in the first; the second holds
    // what a check reads of every user.
    version: 10,
    name: "covering indexes of the server-session check",
    sql: `
      CREATE UNIQUE INDEX server_session_check ON sessions
        (id, secret_hash, user_id, created_at, expires_at, last_used_at, idle_timeout_ms, revoked_at)
        WHERE kind = 'server';
      CREATE UNIQUE INDEX user_session_check ON users (id, disabled_at, email, roles);
    `,
  },
  {
    // "Keep me signed in": the cookie of a session started with it lives as long as the session,
    // and a password change carries it over. Not in the check's index: a validation never reads it.
    version: 11,
    name: "remembered server sessions",
    sql: "ALTER TABLE sessions ADD COLUMN remember INTEGER NOT NULL DEFAULT 0 CHECK (remember IN (0, 1));",
  },
  {
    // A ticket remembers the credential version it was made under; redemption is fenced on it.
    version: 12,
    name: "login ticket credential version",
    sql: "ALTER TABLE login_tickets ADD COLUMN credential_version INTEGER;",
  },
];

/**
 * Apply the pending steps of `steps` in one `BEGIN IMMEDIATE` transaction: the first process to
 * arrive takes the write lock, the others wait (busy timeout), then find nothing left to do.
 * Returns the versions this call applied.
 *
 * @example
 * applyMigrations(db); // [1] on a new database, [] afterwards
 */
export function applyMigrations(db: Database.Database, steps: readonly Migration[] = migrations): number[] {
  const apply = db.transaction((): number[] => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at INTEGER NOT NULL
    ) STRICT`);
    const done = new Set(db.prepare("SELECT version FROM schema_migrations").pluck().all());
    const applied: number[] = [];
    for (const step of [...steps].sort((a, b) => a.version - b.version)) {
      if (done.has(step.version)) continue;
      db.exec(step.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        step.version,
        step.name,
        Date.now(),
      );
      applied.push(step.version);
    }
    return applied;
  });
  return apply.immediate();
}
