import { TesseraError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { checkLoginOptions } from "../sessions/login-options.js";
import { newTicket, TICKET_LIFETIME_MS, ticketHash } from "./ticket.js";

/**
 * Create a single-use login ticket for a user (admin API, CLI): the operator's backend has
 * authenticated the user its own way and hands the ticket to its front end, which redeems it for
 * a session within 60 s. Only the ticket's SHA-256 is stored; the ticket itself is returned once
 * and never audited. `not_found` for an unknown user, `account_disabled` for a disabled one,
 * `invalid_input` for a malformed scope.
 *
 * @example
 * const { ticket, expiresIn } = await createLoginTicket(rt, { userId });
 */
export async function createLoginTicket(
  rt: Runtime,
  input: { userId: string; scope?: string },
): Promise<{ ticket: string; expiresIn: number }> {
  checkLoginOptions({ scope: input.scope });
  const user = await rt.store.getUserById(input.userId);
  if (user === null) throw new TesseraError("not_found", "no such user");
  if (user.disabledAt !== null) throw new TesseraError("account_disabled", "the account is disabled");
  const ticket = newTicket();
  const now = rt.clock.now();
  await rt.store.createLoginTicket({
    hash: ticketHash(ticket) as string,
    userId: user.id,
    scope: input.scope ?? null,
    createdAt: now,
    expiresAt: now + TICKET_LIFETIME_MS,
    credentialVersion: user.credentialVersion,
  });
  await rt.audit({ type: "ticket.created", userId: user.id, data: { by: "admin" } });
  return { ticket, expiresIn: TICKET_LIFETIME_MS / 1000 };
}
