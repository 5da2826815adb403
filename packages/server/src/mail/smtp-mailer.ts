import type { Mailer, OutgoingMail } from "@tessera/core";
import { createTransport } from "nodemailer";
import type { RenderedMail } from "./templates.js";

/** What the mailer logs: never the link (it holds the token) nor the rendered body. */
export interface MailLog {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface SmtpMailerOptions {
  smtpUrl: string;
  from: string;
  render: (mail: OutgoingMail, now: number) => RenderedMail;
  log: MailLog;
  now?: () => number;
  /** Waits before the 2nd, 3rd… attempt; its length bounds the retries. Default 2 s, 10 s, 60 s. */
  retryDelaysMs?: readonly number[];
}

/** A `Mailer` that can be waited on and closed. */
export interface ServerMailer extends Mailer {
  /** Resolves once every mail handed over so far was delivered or given up. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Sends over SMTP with nodemailer. `send` returns at once; delivery runs in the background, and a
 * failure is logged (kind, attempt, error code, SMTP reply code — never the link) and retried a bounded number of
 * times, then dropped with an error line. No HTTP answer waits for it.
 *
 * @example
 * const mailer = createSmtpMailer({ smtpUrl, from, render: loadTemplates(null), log: app.log });
 */
export function createSmtpMailer(options: SmtpMailerOptions): ServerMailer {
  const transport = createTransport(options.smtpUrl);
  const now = options.now ?? Date.now;
  const delays = options.retryDelaysMs ?? [2_000, 10_000, 60_000];
  const inFlight = new Set<Promise<void>>();
  /** Pending retry waits; closing ends them at once. */
  const timers = new Map<NodeJS.Timeout, () => void>();
  let closed = false;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timer.unref();
      timers.set(timer, resolve);
    });

  const deliver = async (mail: OutgoingMail) => {
    const rendered = options.render(mail, now());
    for (let attempt = 1; !closed; attempt++) {
      try {
        await transport.sendMail({ from: options.from, to: mail.to, ...rendered });
        return;
      } catch (error) {
        const failure = (error as { code?: unknown; responseCode?: unknown } | null) ?? {};
        const fields = {
          kind: mail.kind,
          attempt,
          code: failure.code ?? "error",
          smtp: failure.responseCode ?? null,
        };
        const delay = delays[attempt - 1];
        if (delay === undefined || closed) {
          options.log.error(fields, "mail not sent; giving up");
          return;
        }
        options.log.warn(fields, "mail not sent; retrying");
        await wait(delay);
      }
    }
  };

  const idle = async () => {
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  };

  return {
    send(mail) {
      if (closed) return;
      const job = deliver(mail).finally(() => inFlight.delete(job));
      inFlight.add(job);
    },
    idle,
    async close() {
      closed = true;
      for (const [timer, resolve] of timers) {
        clearTimeout(timer);
        resolve();
      }
      timers.clear();
      await idle();
      transport.close();
    },
  };
}

/**
 * Development without SMTP: the link is printed on the server's console instead of mailed.
 *
 * @example
 * const mailer = createConsoleMailer((line) => process.stderr.write(`${line}\n`));
 */
export function createConsoleMailer(print: (line: string) => void): ServerMailer {
  return {
    send(mail) {
      print(`[tessera mail, no SMTP configured] ${mail.kind} for ${mail.to}: ${mail.link}`);
    },
    idle: async () => {},
    close: async () => {},
  };
}
