import type { Runtime } from "../runtime.js";
import type { UserRecord } from "../store.js";
import { generateMailToken, mailLink } from "./mail-token.js";
import type { MailKind } from "./mailer.js";

const DAY = 24 * 60 * 60_000;

/**
 * Issue a token of `kind` for the user (superseding the user's earlier unused ones of that kind),
 * and hand the mail with its link to the mailer, which sends it in the background. Only the
 * token's hash is stored; the token itself is in the mail alone.
 *
 * @example
 * await sendMailToken(rt, user, "password_reset");
 */
export async function sendMailToken(rt: Runtime, user: UserRecord, kind: MailKind): Promise<void> {
  const now = rt.clock.now();
  const ttl = kind === "password_reset" ? rt.options.passwordResetTtlMs : DAY;
  const { token, tokenHash } = generateMailToken();
  const expiresAt = now + ttl;
  await rt.store.createMailToken({
    tokenHash,
    purpose: kind,
    userId: user.id,
    createdAt: now,
    expiresAt,
    usedAt: null,
  });
  rt.mailer?.send({ kind, to: user.email, link: mailLink(rt.options.appUrl, kind, token), expiresAt });
}

/**
 * Make every unused link of the user dead (the address they were mailed to is no longer the
 * account's): for each kind, a spent, already expired token is issued, and issuing supersedes the
 * user's unused tokens of that kind (the store's `createMailToken` contract). The purge removes it.
 *
 * @example
 * await supersedeMailTokens(rt, userId); // after the address changed
 */
export async function supersedeMailTokens(rt: Runtime, userId: string): Promise<void> {
  const now = rt.clock.now();
  for (const purpose of ["password_reset", "email_verification"] as const) {
    const { tokenHash } = generateMailToken();
    await rt.store.createMailToken({
      tokenHash,
      purpose,
      userId,
      createdAt: now,
      expiresAt: now,
      usedAt: now,
    });
  }
}
