import { randomBytes, randomUUID } from "node:crypto";
import { hashRefreshSecret, refreshSecretMatches } from "../tokens/refresh.js";

/** The cookie of a server session: `__Host-` — Secure, Path=/, no Domain — so no subdomain can set it. */
export const SERVER_SESSION_COOKIE = "__Host-tessera_session";

// `tss_<uuid>.<43 base64url characters: 256 random bits>`
const VALUE = /^tss_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

export interface ServerSessionSecret {
  id: string;
  secret: string;
  /** `tss_<id>.<secret>` */
  value: string;
}

/**
 * A new session id and a 256-bit secret, and the cookie value made of them.
 *
 * @example
 * const { id, secret, value } = newServerSessionSecret();
 */
export function newServerSessionSecret(): ServerSessionSecret {
  const id = randomUUID();
  const secret = randomBytes(32).toString("base64url");
  return { id, secret, value: `tss_${id}.${secret}` };
}

/**
 * The id and secret of a cookie value, or null when it is not exactly `tss_<uuid>.<secret>`.
 *
 * @example
 * parseServerSessionCookie("tss_…"); // { id, secret } | null
 */
export function parseServerSessionCookie(value: unknown): { id: string; secret: string } | null {
  if (typeof value !== "string" || value.length > 100) return null;
  const match = VALUE.exec(value);
  return match ? { id: match[1] as string, secret: match[2] as string } : null;
}

/** base64url SHA-256 of the secret: all the store keeps. */
export const hashServerSessionSecret = hashRefreshSecret;

/** Whether `secret` hashes to `storedHash`, compared in constant time. */
export const serverSessionSecretMatches = refreshSecretMatches;
