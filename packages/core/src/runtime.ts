import type { KeyObject } from "node:crypto";
import type { PasswordHasher } from "./api.js";
import type { AuditLog } from "./audit/log.js";
import type { Clock } from "./clock.js";
import type { KeyRing } from "./keys/ring.js";
import type { Mailer } from "./mail/mailer.js";
import type { ResolvedOptions } from "./options.js";
import type { ClaimsHook } from "./permissions/claims.js";
import type { RolePolicy } from "./permissions/policy.js";
import type { Store } from "./store.js";

/**
 * What every core operation works with, built once by `createTessera`. Operations are plain
 * functions of this, so each lives in a file of its own and can be read alone.
 */
export interface Runtime {
  store: Store;
  clock: Clock;
  options: ResolvedOptions;
  /** `options.audience` as a list. */
  audiences: readonly string[];
  hasher: PasswordHasher;
  /** A hash of a random password made with the same hasher, verified for unknown e-mails. */
  dummyHash: string;
  ring: KeyRing;
  audit: AuditLog;
  /** HKDF(masterKey, "tessera/csrf/v1"), as a secret KeyObject made once. */
  csrfKey: KeyObject;
  /** What each role grants (`{}` when no policy is configured). */
  policy: RolePolicy;
  /** The embedder's extra claims, if any. */
  claimsHook: ClaimsHook | undefined;
  /** Sends reset and verification mails; null: none are sent. */
  mailer: Mailer | null;
}
