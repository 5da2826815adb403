/** What a mail is for; the sender picks its template by this. */
export type MailKind = "password_reset" | "email_verification";

/** One mail to send. The link carries the token in its fragment; nothing else does. */
export interface OutgoingMail {
  kind: MailKind;
  /** The normalised address. */
  to: string;
  /** `<appUrl>/reset-password#token=…` or `<appUrl>/verify-email#token=…`. */
  link: string;
  /** When the link stops working (ms since the epoch). */
  expiresAt: number;
}

/**
 * Sends mail for the core. `send` must return at once (queue, then deliver and retry in the
 * background), so that no answer waits for — or depends on — a mail server. The server's
 * implementation speaks SMTP; tests may collect the mails.
 *
 * @example
 * const mailer: Mailer = { send: (mail) => queue.push(mail) };
 */
export interface Mailer {
  send(mail: OutgoingMail): void;
}
