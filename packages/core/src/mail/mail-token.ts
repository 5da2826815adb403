import { createHash, randomBytes } from "node:crypto";
import type { MailKind } from "./mailer.js";

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** base64url SHA-256 of a mail token: the only form a store sees. */
export function hashMailToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/**
 * A new mail token: 256 bits from the CSPRNG, base64url (43 characters), with its hash.
 *
 * @example
 * const { token, tokenHash } = generateMailToken();
 */
export function generateMailToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashMailToken(token) };
}

/** The hash of a well-formed presented token, or null for anything else. */
export function presentedTokenHash(token: unknown): string | null {
  return typeof token === "string" && TOKEN.test(token) ? hashMailToken(token) : null;
}

const PAGES: Record<MailKind, string> = {
  password_reset: "reset-password",
  email_verification: "verify-email",
};

/**
 * The application's page for the mail, with the token in the fragment: a fragment is never
 * sent to a server, so the token reaches no access log and no Referer.
 *
 * @example
 * mailLink("https://app.example", "password_reset", token); // https://app.example/reset-password#token=…
 */
export function mailLink(appUrl: string, kind: MailKind, token: string): string {
  return `${appUrl.replace(/\/+$/, "")}/${PAGES[kind]}#token=${token}`;
}
