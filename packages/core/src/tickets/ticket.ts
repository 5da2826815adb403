import { createHash, randomBytes } from "node:crypto";

/** How long a login ticket can be redeemed: 60 s. */
export const TICKET_LIFETIME_MS = 60_000;

// 32 random bytes, base64url without padding.
const TICKET = /^[A-Za-z0-9_-]{43}$/;

/**
 * A new login ticket: 256 random bits, base64url.
 *
 * @example
 * const ticket = newTicket();
 */
export function newTicket(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * The stored form of a ticket (base64url SHA-256), or null when the text cannot be a ticket.
 *
 * @example
 * const hash = ticketHash(ticket);
 */
export function ticketHash(ticket: unknown): string | null {
  if (typeof ticket !== "string" || !TICKET.test(ticket)) return null;
  return createHash("sha256").update(ticket).digest("base64url");
}
