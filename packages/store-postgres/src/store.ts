import type { Store } from "@tessera/core";
import { appendAudit, listAudit } from "./audit.js";
import { Db, type PoolOptions } from "./db.js";
import { rememberDpopJti } from "./dpop.js";
import { applyKeyChanges, listSigningKeys } from "./keys.js";
import { createLoginTicket, redeemLoginTicket } from "./login-tickets.js";
import { createMailToken, getMailToken, redeemMailToken, setEmailVerified } from "./mail-tokens.js";
import { migrate } from "./migrations.js";
import { purge } from "./purge.js";
import { listRevocations } from "./revocations.js";
import { applyRolePolicy, changeUserRoles, getRolePolicy, listHeldRoles } from "./roles.js";
import { rotateRefreshToken } from "./rotate.js";
import {
  checkServerSession,
  createServerSession,
  getServerSession,
  touchServerSession,
} from "./server-sessions.js";
import {
  changeCredentials,
  createSession,
  getAccessState,
  getRefreshToken,
  getSession,
  listActiveSessions,
  revokeSession,
  revokeUserSessions,
} from "./sessions.js";
import {
  createUser,
  deleteUser,
  enableUser,
  getUserByEmail,
  getUserById,
  listUsers,
  replacePasswordHash,
  updatePasswordHash,
  updateUserEmail,
} from "./users.js";

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/db?sslmode=…` */
  connectionString: string;
  pool?: PoolOptions;
  /** Server-side limit on any one statement (migrations excepted). Default 10 000 ms. */
  statementTimeoutMs?: number;
}

/**
 * The PostgreSQL store: the system of record when Tessera runs as several instances. Every
 * method rejects with `TesseraError("store_unavailable")` while the database cannot be reached,
 * and works again, without a restart, once it can (the pool opens fresh connections).
 *
 * Call `migrate()` once before use; it is safe to call from every instance at start.
 *
 * @example
 * const store = createPostgresStore({ connectionString: process.env.TESSERA_DATABASE_URL! });
 * await store.migrate();
 * const tessera = createTessera({ store, masterKey, issuer, audience });
 */
export function createPostgresStore(options: PostgresStoreOptions): Store {
  if (typeof options.connectionString !== "string" || options.connectionString.length === 0) {
    throw new TypeError("createPostgresStore: connectionString is required");
  }
  const db = new Db(options);
  return {
    async migrate() {
      await migrate(db);
    },
    async ping() {
      await db.query("SELECT 1");
    },
    close: () => db.close(),

    createUser: (user) => createUser(db, user),
    getUserById: (id) => getUserById(db, id),
    getUserByEmail: (email) => getUserByEmail(db, email),
    listUsers: (listOptions) => listUsers(db, listOptions),
    updatePasswordHash: (userId, hash) => updatePasswordHash(db, userId, hash),
    replacePasswordHash: (userId, expected, hash) => replacePasswordHash(db, userId, expected, hash),
    deleteUser: (userId, now) => deleteUser(db, userId, now),
    changeUserRoles: (input) => changeUserRoles(db, input),
    listHeldRoles: () => listHeldRoles(db),
    getRolePolicy: () => getRolePolicy(db),
    applyRolePolicy: (input) => applyRolePolicy(db, input),
    updateUserEmail: (userId, email) => updateUserEmail(db, userId, email),
    enableUser: (userId) => enableUser(db, userId),

    createLoginTicket: (ticket) => createLoginTicket(db, ticket),
    redeemLoginTicket: (hash, now) => redeemLoginTicket(db, hash, now),

    createSession: (session, firstToken, expectedCredentialVersion) =>
      createSession(db, session, firstToken, expectedCredentialVersion),
    getSession: (id) => getSession(db, id),
    createServerSession: (session, expected) => createServerSession(db, session, expected),
    getServerSession: (id) => getServerSession(db, id),
    checkServerSession: (id) => checkServerSession(db, id),
    touchServerSession: (input) => touchServerSession(db, input),
    listActiveSessions: (userId, now) => listActiveSessions(db, userId, now),
    getRefreshToken: (id) => getRefreshToken(db, id),
    rotateRefreshToken: (input) => rotateRefreshToken(db, input),
    revokeSession: (sessionId, now, reason) => revokeSession(db, sessionId, now, reason),
    revokeUserSessions: (input) => revokeUserSessions(db, input),
    changeCredentials: (input) => changeCredentials(db, input),
    getAccessState: (userId, sessionId) => getAccessState(db, userId, sessionId),

    listRevocations: (after, limit) => listRevocations(db, after, limit),

    listSigningKeys: () => listSigningKeys(db),
    applyKeyChanges: (changes) => applyKeyChanges(db, changes),

    appendAudit: (event) => appendAudit(db, event),
    listAudit: (filter) => listAudit(db, filter),

    rememberDpopJti: (key, expiresAt, now) => rememberDpopJti(db, key, expiresAt, now),

    createMailToken: (token) => createMailToken(db, token),
    getMailToken: (tokenHash) => getMailToken(db, tokenHash),
    redeemMailToken: (tokenHash, purpose, now) => redeemMailToken(db, tokenHash, purpose, now),
    setEmailVerified: (userId) => setEmailVerified(db, userId),

    purge: (input) => purge(db, input),
  };
}
