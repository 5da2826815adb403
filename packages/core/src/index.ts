export type * from "./api.js";
export { AUDIT_TYPES, type AuditEntry, type AuditType } from "./audit/log.js";
export { type Clock, ManualClock, systemClock } from "./clock.js";
export * from "./dpop/index.js";
export { isTesseraError, TesseraError, type TesseraErrorCode } from "./errors.js";
export { type GeneratedKey, generateSigningKey } from "./keys/generate.js";
export { rewrapSigningKeys } from "./keys/rewrap.js";
export { isSameKeyRing } from "./keys/same-ring.js";
export { signingKeySealKey } from "./keys/seal-key.js";
export type { Mailer, MailKind, OutgoingMail } from "./mail/mailer.js";
export { DEFAULTS } from "./options.js";
export { type ClaimsHook, type ClaimsHookInput, REGISTERED_CLAIMS } from "./permissions/claims.js";
export { checkPolicy, type RolePolicy } from "./permissions/policy.js";
export { checkRoles, MAX_ROLES, ROLE_NAME } from "./permissions/roles.js";
export { SERVER_SESSION_COOKIE } from "./server-sessions/index.js";
export type * from "./server-sessions/types.js";
export { browserFamily, contextChanges, networkOf } from "./sessions/context.js";
export type * from "./store.js";
export type * from "./store-roles.js";
export { createTessera } from "./tessera.js";
export {
  type AccessTokenExpectations,
  type KeyLookup,
  prepareSigningKey,
  type SigningKey,
  signAccessToken,
  verifyAccessToken,
} from "./tokens/access.js";
export { normaliseEmail } from "./users/email.js";
export {
  type ImportResult,
  type ImportSkipReason,
  type ImportUserInput,
  MAX_IMPORT_USERS,
} from "./users/import.js";
export { type HashProblem, LEGACY_HASH_BOUNDS } from "./users/legacy-hashes.js";
export { type Argon2Params, checkPasswordPolicy, createArgon2Hasher } from "./users/passwords.js";
export { NO_PASSWORD_HASH } from "./users/stored-password.js";
