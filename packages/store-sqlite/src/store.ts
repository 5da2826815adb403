import type { Store } from "@tessera/core";
import { TesseraError } from "@tessera/core";
import { auditOperations } from "./audit.js";
import { type Checkpointer, FALLBACK_AUTOCHECKPOINT_PAGES, startCheckpointer } from "./checkpointer.js";
import { dpopOperations } from "./dpop.js";
import { toStoreError, unavailable } from "./errors.js";
import { createHandle, type SqliteHandle } from "./handle.js";
import { keyOperations } from "./keys.js";
import { loginTicketOperations } from "./login-tickets.js";
import { mailTokenOperations } from "./mail-tokens.js";
import { applyMigrations } from "./migrations.js";
import { openDatabase, type SqliteSynchronous } from "./open.js";
import { purgeOperation } from "./purge.js";
import { revocationOperations } from "./revocations.js";
import { roleOperations } from "./roles.js";
import { rotateOperation } from "./rotate.js";
import { serverSessionOperations } from "./server-sessions.js";
import { sessionOperations } from "./sessions.js";
import { userOperations } from "./users.js";

/**
 * Options of {@link createSqliteStore}.
 *
 * @example
 * const options: SqliteStoreOptions = { path: "./data/tessera.db", busyTimeoutMs: 5000 };
 */
export interface SqliteStoreOptions {
  /** A file path (its directory is created, owner-only) or `":memory:"`. */
  path: string;
  /** How long a call waits for another connection's write lock before failing. Default 5000. */
  busyTimeoutMs?: number;
  /**
   * `"normal"` (default): a commit survives a crash of the process; the last commits may be lost
   * on power loss. `"full"`: the WAL is synced at every commit, so power loss loses nothing answered.
   */
  synchronous?: SqliteSynchronous;
  /**
   * Run the background WAL checkpointer (default true). With several processes on one file one
   * of them is enough (`tessera serve --workers` gives it to one worker); the others keep only
   * the writer's fallback auto-checkpoint.
   */
  checkpointer?: boolean;
}

function operations(h: SqliteHandle) {
  return {
    ...userOperations(h),
    ...roleOperations(h),
    ...sessionOperations(h),
    ...serverSessionOperations(h),
    ...rotateOperation(h),
    ...revocationOperations(h),
    ...keyOperations(h),
    ...auditOperations(h),
    ...dpopOperations(h),
    ...loginTicketOperations(h),
    ...mailTokenOperations(h),
    ...purgeOperation(h),
    migrate(): void {
      applyMigrations(h.db);
    },
    ping(): void {
      // Reads the schema page, so a broken file fails here, not only a closed handle.
      h.sql("SELECT 1 FROM sqlite_schema LIMIT 1").get();
    },
  };
}

type Operations = ReturnType<typeof operations>;

/**
 * A `Store` on an embedded SQLite database (better-sqlite3, WAL). The connection opens on first
 * use; while it cannot be opened, and after `close()`, every method rejects with
 * `TesseraError("store_unavailable")`.
 *
 * @example
 * const store = createSqliteStore({ path: "./data/tessera.db" });
 * await store.migrate();
 * await store.ping();
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const { path, busyTimeoutMs = 5000, synchronous = "normal", checkpointer = true } = options;
  if (typeof path !== "string" || path === "") {
    throw new TesseraError("invalid_input", 'createSqliteStore: `path` must be a file path or ":memory:"');
  }
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new TesseraError(
      "invalid_input",
      "createSqliteStore: `busyTimeoutMs` must be a non-negative integer",
    );
  }

  if (synchronous !== "normal" && synchronous !== "full") {
    throw new TesseraError("invalid_input", 'createSqliteStore: `synchronous` must be "normal" or "full"');
  }

  let connection: { handle: SqliteHandle; ops: Operations; checkpointer?: Checkpointer } | undefined;
  let closed = false;

  const connect = () => {
    try {
      const handle = createHandle(openDatabase(path, busyTimeoutMs, synchronous));
      if (path === ":memory:") return { handle, ops: operations(handle) };
      handle.db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
      if (!checkpointer) return { handle, ops: operations(handle) };
      return { handle, ops: operations(handle), checkpointer: startCheckpointer(path) };
    } catch (error) {
      throw unavailable(error);
    }
  };

  // better-sqlite3 is synchronous: each call runs to completion before the promise is returned
  // (rotations wait for their group's commit), and every throw becomes a rejection.
  const run = async <R>(call: (ops: Operations) => R | Promise<R>): Promise<R> => {
    try {
      if (closed) throw unavailable();
      connection ??= connect();
      return await call(connection.ops);
    } catch (error) {
      throw toStoreError(error);
    }
  };

  return {
    migrate: () => run((o) => o.migrate()),
    ping: () => run((o) => o.ping()),
    async close() {
      closed = true;
      const open = connection;
      connection = undefined;
      if (!open) return;
      // Rotations already asked for are committed, not dropped.
      open.ops.rotateRefreshToken.flush();
      open.handle.db.close();
      await open.checkpointer?.stop();
    },

    createUser: (user) => run((o) => o.createUser(user)),
    getUserById: (id) => run((o) => o.getUserById(id)),
    getUserByEmail: (email) => run((o) => o.getUserByEmail(email)),
    listUsers: (listOptions) => run((o) => o.listUsers(listOptions)),
    updatePasswordHash: (userId, hash) => run((o) => o.updatePasswordHash(userId, hash)),
    replacePasswordHash: (userId, expected, hash) =>
      run((o) => o.replacePasswordHash(userId, expected, hash)),
    deleteUser: (userId, now) => run((o) => o.deleteUser(userId, now)),
    changeUserRoles: (input) => run((o) => o.changeUserRoles(input)),
    listHeldRoles: () => run((o) => o.listHeldRoles()),
    getRolePolicy: () => run((o) => o.getRolePolicy()),
    applyRolePolicy: (input) => run((o) => o.applyRolePolicy(input)),
    updateUserEmail: (userId, email) => run((o) => o.updateUserEmail(userId, email)),
    enableUser: (userId) => run((o) => o.enableUser(userId)),

    createLoginTicket: (ticket) => run((o) => o.createLoginTicket(ticket)),
    redeemLoginTicket: (hash, now) => run((o) => o.redeemLoginTicket(hash, now)),

    createSession: (session, firstToken, expectedCredentialVersion) =>
      run((o) => o.createSession(session, firstToken, expectedCredentialVersion)),
    getSession: (id) => run((o) => o.getSession(id)),
    createServerSession: (session, expectedCredentialVersion) =>
      run((o) => o.createServerSession(session, expectedCredentialVersion)),
    getServerSession: (id) => run((o) => o.getServerSession(id)),
    checkServerSession: (id) => run((o) => o.checkServerSession(id)),
    touchServerSession: (input) => run((o) => o.touchServerSession(input)),
    listActiveSessions: (userId, now) => run((o) => o.listActiveSessions(userId, now)),
    getRefreshToken: (id) => run((o) => o.getRefreshToken(id)),
    rotateRefreshToken: (input) => run((o) => o.rotateRefreshToken(input)),
    revokeSession: (sessionId, now, reason) => run((o) => o.revokeSession(sessionId, now, reason)),
    revokeUserSessions: (input) => run((o) => o.revokeUserSessions(input)),
    changeCredentials: (input) => run((o) => o.changeCredentials(input)),
    getAccessState: (userId, sessionId) => run((o) => o.getAccessState(userId, sessionId)),

    listRevocations: (after, limit) => run((o) => o.listRevocations(after, limit)),

    listSigningKeys: () => run((o) => o.listSigningKeys()),
    applyKeyChanges: (changes) => run((o) => o.applyKeyChanges(changes)),

    appendAudit: (event) => run((o) => o.appendAudit(event)),
    listAudit: (filter) => run((o) => o.listAudit(filter)),

    rememberDpopJti: (key, expiresAt, now) => run((o) => o.rememberDpopJti(key, expiresAt, now)),

    createMailToken: (token) => run((o) => o.createMailToken(token)),
    getMailToken: (tokenHash) => run((o) => o.getMailToken(tokenHash)),
    redeemMailToken: (tokenHash, purpose, now) => run((o) => o.redeemMailToken(tokenHash, purpose, now)),
    setEmailVerified: (userId) => run((o) => o.setEmailVerified(userId)),

    purge: (input) => run((o) => o.purge(input)),
  };
}
