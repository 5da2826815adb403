import type { Clock } from "@tessera/core";
import type { FastifyInstance } from "fastify";
import type { ServerConfig } from "../config/server-config.js";
import { createConsoleMailer, createSmtpMailer, type ServerMailer } from "./smtp-mailer.js";
import { loadTemplates } from "./templates.js";

/** SMTP when configured; in development without it, links are printed on the console. */
export function createMailer(
  config: ServerConfig,
  app: FastifyInstance,
  clock: Clock,
  retryDelaysMs: readonly number[] | undefined,
): ServerMailer {
  if (config.mail.smtpUrl === null) {
    return createConsoleMailer((line) => process.stderr.write(`${line}\n`));
  }
  return createSmtpMailer({
    smtpUrl: config.mail.smtpUrl,
    from: config.mail.from,
    render: loadTemplates(config.mail.templatesDir),
    log: app.log,
    now: () => clock.now(),
    ...(retryDelaysMs ? { retryDelaysMs } : {}),
  });
}
