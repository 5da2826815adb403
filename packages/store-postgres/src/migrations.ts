import type { Db } from "./db.js";

/** One schema step. Versions only grow; a released migration is never edited. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Key of the transaction-scoped advisory lock every migrator takes first, so instances that
 * start together apply each migration exactly once (advisory locks are per database).
 */
export const MIGRATION_LOCK_KEY = 0x7e55_e4a0;

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema",
    sql: `
CREATE TABLE tessera_users (
  id            TEXT PRIMARY KEY,
  email         TEXT NOT NULL CONSTRAINT tessera_users_email_key UNIQUE,
  password_hash TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  token_epoch   BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE tessera_sessions (
  id              TEXT PRIMARY KEY,
  user_id         TEXT NOT NULL REFERENCES tessera_users (id) ON DELETE CASCADE,
  client_id       TEXT NOT NULL,
  scope           TEXT,
  created_at      BIGINT NOT NULL,
  expires_at      BIGINT NOT NULL,
  last_used_at    BIGINT NOT NULL,
  revoked_at      BIGINT,
  revoked_reason  TEXT,
  ip              TEXT,
  user_agent      TEXT,
  last_ip         TEXT,
  last_user_agent TEXT,
  dpop_jkt        TEXT
);
CREATE INDEX tessera_sessions_user_idx ON tessera_sessions (user_id, created_at DESC);
CREATE INDEX tessera_sessions_expires_idx ON tessera_sessions (expires_at);

CREATE TABLE tessera_refresh_tokens (
  id               TEXT PRIMARY KEY,
  session_id       TEXT NOT NULL REFERENCES tessera_sessions (id) ON DELETE CASCADE,
  secret_hash      TEXT NOT NULL,
  created_at       BIGINT NOT NULL,
  expires_at       BIGINT NOT NULL,
  used_at          BIGINT,
  successor_id     TEXT,
  successor_sealed TEXT
);
CREATE INDEX tessera_refresh_tokens_session_idx ON tessera_refresh_tokens (session_id);
CREATE INDEX tessera_refresh_tokens_sealed_idx ON tessera_refresh_tokens (used_at)
  WHERE successor_sealed IS NOT NULL;

-- No foreign key to users: the event of a deleted user must outlive the user.
CREATE TABLE tessera_revocations (
  cursor     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('user', 'session')),
  user_id    TEXT NOT NULL,
  session_id TEXT,
  epoch      BIGINT,
  at         BIGINT NOT NULL
);
CREATE INDEX tessera_revocations_at_idx ON tessera_revocations (at);

CREATE TABLE tessera_signing_keys (
  kid           TEXT PRIMARY KEY,
  alg           TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('next', 'active', 'previous', 'retired')),
  public_jwk    TEXT,
  private_sealed TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  activated_at  BIGINT,
  retired_at    BIGINT
);

CREATE TABLE tessera_audit (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         BIGINT NOT NULL,
  type       TEXT NOT NULL,
  outcome    TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
  user_id    TEXT,
  session_id TEXT,
  ip         TEXT,
  user_agent TEXT,
  data       JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX tessera_audit_at_idx ON tessera_audit (at);
CREATE INDEX tessera_audit_user_idx ON tessera_audit (user_id, id);
`,
  },
  {
    version: 2,
    name: "dpop proof ids",
    sql: `
CREATE TABLE tessera_dpop_jtis (
  key        TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
CREATE INDEX tessera_dpop_jtis_expiry_idx ON tessera_dpop_jtis (expires_at);
`,
  },
  {
    version: 3,
    name: "credential version",
    sql: `
ALTER TABLE tessera_users ADD COLUMN credential_version INTEGER NOT NULL DEFAULT 0;
`,
  },
  {
    version: 4,
    name: "user roles and the applied role policy",
    sql: `
ALTER TABLE tessera_users ADD COLUMN roles TEXT[] NOT NULL DEFAULT '{}';
CREATE INDEX tessera_users_roles_idx ON tessera_users USING GIN (roles);
CREATE TABLE tessera_role_policy (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  policy     TEXT NOT NULL,
  applied_at BIGINT NOT NULL
);
`,
  },
  {
    version: 5,
    name: "dpop binding at refresh",
    sql: "ALTER TABLE tessera_sessions ADD COLUMN dpop_bound_at BIGINT;",
  },
  {
    version: 6,
    name: "disabled users and login tickets",
    sql: `
ALTER TABLE tessera_users ADD COLUMN disabled_at BIGINT;

CREATE TABLE tessera_login_tickets (
  hash       TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES tessera_users (id) ON DELETE CASCADE,
  scope      TEXT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX tessera_login_tickets_expiry_idx ON tessera_login_tickets (expires_at);
CREATE INDEX tessera_login_tickets_user_idx ON tessera_login_tickets (user_id);
`,
  },
  {
    version: 8,
    name: "mail tokens and verified addresses",
    sql: `
ALTER TABLE tessera_users ADD COLUMN email_verified BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE tessera_mail_tokens (
  token_hash TEXT PRIMARY KEY,
  purpose    TEXT NOT NULL CHECK (purpose IN ('password_reset', 'email_verification')),
  user_id    TEXT NOT NULL REFERENCES tessera_users (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at    BIGINT
);
CREATE INDEX tessera_mail_tokens_user_idx ON tessera_mail_tokens (user_id, purpose) WHERE used_at IS NULL;
CREATE INDEX tessera_mail_tokens_expiry_idx ON tessera_mail_tokens (expires_at);
`,
  },
  {
    version: 9,
    name: "server sessions",
    sql: `
ALTER TABLE tessera_sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'token' CHECK (kind IN ('token', 'server'));
ALTER TABLE tessera_sessions ADD COLUMN secret_hash TEXT;
ALTER TABLE tessera_sessions ADD COLUMN idle_timeout_ms BIGINT;
`,
  },
  {
    // Numbered as in SQLite (whose 10 is an index PostgreSQL does not need). A constant default:
    // PostgreSQL adds the column without rewriting the table.
    version: 11,
    name: "remembered server sessions",
    sql: "ALTER TABLE tessera_sessions ADD COLUMN remember BOOLEAN NOT NULL DEFAULT FALSE;",
  },
  {
    // A ticket remembers the credential version it was made under; redemption is fenced on it.
    version: 12,
    name: "login ticket credential version",
    sql: "ALTER TABLE tessera_login_tickets ADD COLUMN credential_version INTEGER;",
  },
];

/**
 * Apply pending migrations in one transaction under an advisory lock. Several processes may call
 * this at once: the first applies, the others wait for its commit, then find nothing to do.
 * PostgreSQL DDL is transactional, so a failed migration leaves the schema as it was.
 */
export async function migrate(db: Db, all: readonly Migration[] = migrations): Promise<number[]> {
  return db.transaction(
    async (tx) => {
      // Migrations may legitimately outlast the per-statement timeout of ordinary calls.
      await tx.query("SET LOCAL statement_timeout = 0");
      await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
      await tx.query(`CREATE TABLE IF NOT EXISTS tessera_schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at BIGINT NOT NULL
    )`);
      const rows = await tx.query<{ version: number }>("SELECT version FROM tessera_schema_migrations");
      const done = new Set(rows.map((row) => row.version));
      const applied: number[] = [];
      for (const migration of [...all].sort((a, b) => a.version - b.version)) {
        if (done.has(migration.version)) continue;
        await tx.query(migration.sql);
        await tx.query(
          "INSERT INTO tessera_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
          [migration.version, migration.name, Date.now()],
        );
        applied.push(migration.version);
      }
      return applied;
    },
    { unbounded: true },
  );
}
