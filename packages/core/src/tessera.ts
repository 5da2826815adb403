import { createSecretKey, randomBytes } from "node:crypto";
import { findUserRecord, findUsers, getAdminUser } from "./admin/find-users.js";
import { recordAdminCall } from "./admin/record-call.js";
import { revokeUserSessions } from "./admin/revoke-sessions.js";
import { updateUser } from "./admin/update-user.js";
import type { Tessera, TesseraOptions } from "./api.js";
import { createAuditLog } from "./audit/log.js";
import { systemClock } from "./clock.js";
import { deriveKey } from "./crypto/seal.js";
import { TesseraError } from "./errors.js";
import { KeyRing } from "./keys/ring.js";
import { signingKeySealKey } from "./keys/seal-key.js";
import { keyReloadInterval, resolveOptions } from "./options.js";
import { changeRoles } from "./permissions/change-roles.js";
import { allPermissions } from "./permissions/policy.js";
import { syncRolePolicy } from "./permissions/sync-policy.js";
import { revocationFeed } from "./revocation/feed.js";
import { revokeToken } from "./revocation/revoke-token.js";
import type { Runtime } from "./runtime.js";
import { serverSessions } from "./server-sessions/index.js";
import { checkCsrfForRefreshToken, csrfTokenForRefreshToken } from "./sessions/csrf.js";
import { listSessions } from "./sessions/list.js";
import { login } from "./sessions/login.js";
import { logout, logoutAll, revokeFamily, revokeOwnSession } from "./sessions/revoke.js";
import { rotateRefreshToken } from "./sessions/rotate.js";
import { createLoginTicket } from "./tickets/create.js";
import { redeemLoginTicket } from "./tickets/redeem.js";
import { authenticate } from "./tokens/authenticate.js";
import { introspect } from "./tokens/introspect.js";
import { changePassword } from "./users/change-password.js";
import { deleteAccount, deleteUser } from "./users/delete.js";
import { disableUser, enableUser } from "./users/disable.js";
import { resendVerification, verifyEmail } from "./users/email-verification.js";
import { importUsers } from "./users/import.js";
import { requestPasswordReset, resetPassword } from "./users/password-reset.js";
import { createArgon2Hasher } from "./users/passwords.js";
import { registerUser } from "./users/register.js";

const DAY = 24 * 60 * 60_000;

const CSRF_INFO = "tessera/csrf/v1";

/**
 * Create the token service over a store (which must be migrated). Validates the options
 * (`TypeError` on misconfiguration), loads or creates the signing keys (`master_key_mismatch`
 * when the stored keys were sealed under another master key), and prepares the dummy password
 * hash that unknown-e-mail logins are checked against.
 *
 * `close()` does not close the store: whoever created it owns it.
 *
 * @example
 * const store = createSqliteStore({ path: "./data/tessera.db" });
 * await store.migrate();
 * const tessera = await createTessera({ store, masterKey, issuer: "https://auth.example.com", audience: "api" });
 * const tokens = await tessera.login({ email, password, context: { ip, userAgent } });
 */
export async function createTessera(input: TesseraOptions): Promise<Tessera> {
  const options = resolveOptions(input);
  const { store } = input;
  const clock = input.clock ?? systemClock;
  const hasher = input.passwordHasher ?? createArgon2Hasher();
  const audit = createAuditLog(store, clock);
  const ring = await KeyRing.open({
    store,
    clock,
    sealKey: signingKeySealKey(input.masterKey),
    alg: options.signingAlg,
    audit,
    ...(input.keyReloadIntervalMs !== undefined
      ? { reloadIntervalMs: keyReloadInterval(input.keyReloadIntervalMs) }
      : {}),
  });
  const rt: Runtime = {
    store,
    clock,
    options,
    audiences: typeof options.audience === "string" ? [options.audience] : options.audience,
    hasher,
    dummyHash: await hasher.hash(randomBytes(32).toString("base64url")),
    ring,
    audit,
    csrfKey: createSecretKey(deriveKey(input.masterKey, "", CSRF_INFO)),
    policy: options.roles,
    claimsHook: input.claims,
    mailer: input.mailer ?? null,
  };
  // Only a configured policy is compared with the stored one: a tool started without one (say,
  // a CLI command) must not read as "every permission removed".
  if (input.roles !== undefined) await syncRolePolicy(rt);

  const findUser = (userIdOrEmail: string) => findUserRecord(rt, userIdOrEmail);
  const requireUser = async (userIdOrEmail: string) => {
    const user = await findUser(userIdOrEmail);
    if (user === null) throw new TesseraError("not_found", "no such user");
    return user;
  };

  return {
    options,
    store,
    sessions: serverSessions(rt),
    register: (i) => registerUser(rt, i, { asAdmin: false }),
    login: (i) => login(rt, i),
    refresh: (i) => rotateRefreshToken(rt, i),
    csrfTokenFor: (refreshToken) => csrfTokenForRefreshToken(rt, refreshToken),
    checkCsrf: (refreshToken, csrfToken) => checkCsrfForRefreshToken(rt, refreshToken, csrfToken),
    logout: (i) => logout(rt, i),
    authenticate: (token) => authenticate(rt, token),
    async getUser(userId) {
      const user = await store.getUserById(userId);
      if (user === null) throw new TesseraError("not_found", "no such user");
      return { id: user.id, email: user.email, roles: user.roles, emailVerified: user.emailVerified };
    },
    logoutAll: (claims, context) => logoutAll(rt, claims, context),
    listSessions: (claims) => listSessions(rt, claims.sub, claims.sid),
    revokeSession: (claims, sessionId, context) => revokeOwnSession(rt, claims, sessionId, context),
    changePassword: (claims, i) => changePassword(rt, claims, i),
    deleteAccount: (claims, i) => deleteAccount(rt, claims, i),
    requestPasswordReset: (i) => requestPasswordReset(rt, i),
    resetPassword: (i) => resetPassword(rt, i),
    verifyEmail: (i) => verifyEmail(rt, i),
    resendVerification: (claims, context) => resendVerification(rt, claims, context),
    revokeToken: (token, context, dpopJkt) => revokeToken(rt, token, context, dpopJkt),
    introspect: (token) => introspect(rt, token),
    revocationFeed: (since) => revocationFeed(rt, since),
    jwks: () => ring.jwks(),
    loginWithTicket: (i) => redeemLoginTicket(rt, i),

    adminCreateUser: (email, password, createOptions) =>
      registerUser(
        rt,
        { email, password, context: null, emailVerified: createOptions?.emailVerified ?? false },
        { asAdmin: true, roles: createOptions?.roles ?? [] },
      ),
    async adminListUsers(listOptions) {
      const users = await store.listUsers(listOptions);
      return users.map((u) => ({ id: u.id, email: u.email, roles: u.roles }));
    },
    async adminChangeRoles(userIdOrEmail, change) {
      const user = await findUser(userIdOrEmail);
      if (user === null) throw new TesseraError("not_found", "no such user");
      return changeRoles(rt, user, change);
    },
    async undefinedHeldRoles() {
      const held = await store.listHeldRoles();
      return held.map((h) => h.role).filter((role) => !Object.hasOwn(rt.policy, role));
    },
    scopesSupported: () => allPermissions(rt.policy),
    adminFindUsers: (findOptions) => findUsers(rt, findOptions),
    adminGetUser: (userIdOrEmail) => getAdminUser(rt, userIdOrEmail),
    adminUpdateUser: (userId, changes) => updateUser(rt, userId, changes, null),
    async adminSetDisabled(userIdOrEmail, disabled) {
      const user = await findUser(userIdOrEmail);
      if (user === null) return false;
      return disabled ? disableUser(rt, user.id, null) : enableUser(rt, user.id, null);
    },
    async adminRevokeUserSessions(userIdOrEmail) {
      const revoked = await revokeUserSessions(rt, (await requireUser(userIdOrEmail)).id, null);
      if (revoked === null) throw new TesseraError("not_found", "no such user");
      return revoked;
    },
    async adminCreateLoginTicket({ user, scope }) {
      const { id } = await requireUser(user);
      return createLoginTicket(rt, { userId: id, ...(scope !== undefined ? { scope } : {}) });
    },
    recordAdminCall: (call) => recordAdminCall(rt, call),
    async adminDeleteUser(userIdOrEmail) {
      const user = await findUser(userIdOrEmail);
      return user !== null && deleteUser(rt, user.id, null, "admin");
    },
    async adminListSessions(userIdOrEmail) {
      return listSessions(rt, (await requireUser(userIdOrEmail)).id, null);
    },
    async adminRevokeSession(sessionId) {
      const session = await store.getSession(sessionId);
      if (session === null) return false;
      return revokeFamily(rt, { sessionId, userId: session.userId, reason: "admin", context: null });
    },
    adminImportUsers: (users) => importUsers(rt, users),
    listKeys: () => ring.list(),
    rotateKeys: () => ring.rotate(),
    retireKey: (kid) => ring.retire(kid),
    listAudit: (filter) => store.listAudit(filter),

    async purge() {
      const now = clock.now();
      await store.purge({
        now,
        // Sealed successors only serve the grace window.
        sealedBefore: now - options.refreshGraceMs,
        // Revocation events must outlive every access token they concern, with a wide margin
        // for verifiers that poll the feed late.
        revocationsBefore: now - Math.max(DAY, 2 * options.accessTokenTtlMs),
        auditBefore: now - options.auditRetentionMs,
      });
    },
    async close() {
      // Nothing to release: no timers run (key reloads are lazy); the caller owns the store.
    },
  };
}
