import type { ClientContext, TokenSet } from "../api.js";
import { TesseraError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { checkLoginOptions } from "../sessions/login-options.js";
import { startSession } from "../sessions/start.js";
import { mustVerifyEmail } from "../users/email-verification.js";
import { ticketHash } from "./ticket.js";

const MESSAGES = {
  invalid_ticket: "invalid login ticket",
  account_disabled: "the account is disabled",
  email_unverified: "the e-mail address is not verified",
} as const;

/**
 * Redeem a login ticket for a new session: exactly what a password login returns. The ticket is
 * consumed by one compare-and-set in the store, so of concurrent redemptions exactly one wins;
 * unknown, used or expired tickets (and a user deleted, or whose credentials changed, since) fail
 * with `invalid_ticket`, a disabled user's with `account_disabled`, and — as a password login —
 * with `emailVerification: "required"` an unverified address's with `email_unverified` (the
 * ticket is spent either way). Audited as `login.ticket` (never with the ticket).
 *
 * @example
 * const set = await redeemLoginTicket(rt, { ticket, context: { ip, userAgent } });
 */
export async function redeemLoginTicket(
  rt: Runtime,
  input: { ticket: string; context: ClientContext; dpopJkt?: string },
): Promise<TokenSet> {
  checkLoginOptions({ dpopJkt: input.dpopJkt });
  const fail = async (
    reason: string,
    userId: string | null,
    code: "invalid_ticket" | "account_disabled" | "email_unverified",
  ) => {
    await rt.audit({
      type: "login.ticket",
      outcome: "failure",
      userId,
      context: input.context,
      data: { reason },
    });
    return new TesseraError(code, MESSAGES[code]);
  };
  const hash = ticketHash(input.ticket);
  const ticket = hash === null ? null : await rt.store.redeemLoginTicket(hash, rt.clock.now());
  if (ticket === null) throw await fail("unknown_used_or_expired", null, "invalid_ticket");
  const user = await rt.store.getUserById(ticket.userId);
  if (user === null) throw await fail("unknown_user", ticket.userId, "invalid_ticket");
  if (user.disabledAt !== null) throw await fail("account_disabled", user.id, "account_disabled");
  // The ticket stands for a login checked when it was made: a credential change since then ends
  // it, even when this redemption consumed it before the change committed and read the user after.
  // (After the disabled check: disabling bumps the version too, and its answer is 403. Once the
  // user is enabled again, a ticket from before the disabling stays refused.)
  if (ticket.credentialVersion !== null && ticket.credentialVersion !== user.credentialVersion) {
    throw await fail("credentials_changed", user.id, "invalid_ticket");
  }
  if (mustVerifyEmail(rt, user)) throw await fail("email_unverified", user.id, "email_unverified");
  const set = await startSession(rt, {
    user,
    context: input.context,
    scope: ticket.scope ?? undefined,
    dpopJkt: input.dpopJkt,
  });
  // Disabled, deleted or re-credentialed between the read and the insert (the fence).
  if (set === null) throw await fail("credentials_changed", user.id, "invalid_ticket");
  const who = { userId: user.id, sessionId: set.sessionId, context: input.context };
  await rt.audit({ type: "login.ticket", ...who });
  await rt.audit({ type: "token.issued", ...who, data: { grant: "ticket" } });
  return set;
}
