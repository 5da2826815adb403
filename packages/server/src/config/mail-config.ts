import { isIP } from "node:net";
import { z } from "zod";
import { ConfigError } from "./config-error.js";
import { parseDuration, parseRateLimit, type RateLimitRule } from "./duration.js";

const HOUR = 3_600_000;

/** Account recovery and e-mail settings (`TESSERA_SMTP_URL`, `TESSERA_PASSWORD_RESET`, …). */
export interface MailConfig {
  /** `smtp://` or `smtps://` (user and password allowed); `null`: links go to the console. */
  smtpUrl: string | null;
  from: string;
  /** A directory of operator templates overriding the built-in ones. */
  templatesDir: string | null;
  /** Base URL of the application's `/reset-password` and `/verify-email` pages. */
  appUrl: string;
  passwordReset: boolean;
  passwordResetTtlMs: number;
  emailVerification: "off" | "optional" | "required";
  /** Mails per address (`TESSERA_RATE_LIMIT_MAIL`); `null` = off. */
  rateLimitMail: RateLimitRule | null;
  /** Mail-sending requests per client IP (`TESSERA_RATE_LIMIT_MAIL_IP`); `null` = off. */
  rateLimitMailIp: RateLimitRule | null;
}

const rule = (fallback: RateLimitRule) =>
  z
    .string()
    .transform((text, ctx) => {
      const value = parseRateLimit(text);
      if (value === undefined) {
        ctx.addIssue({ code: "custom", message: "expected <count>/<duration> (e.g. 5/1h) or off" });
        return z.NEVER;
      }
      return value;
    })
    .default(fallback);

const schema = z.object({
  TESSERA_SMTP_URL: z
    .string()
    .refine((t) => /^smtps?:\/\/[^\s]+$/.test(t) && URL.canParse(t), "expected smtp://… or smtps://…")
    .optional(),
  TESSERA_MAIL_FROM: z.string().trim().min(3).max(320).optional(),
  TESSERA_MAIL_TEMPLATES: z.string().min(1).optional(),
  TESSERA_APP_URL: z
    .string()
    .refine(
      (t) => /^https?:\/\/[^?#]+$/.test(t) && URL.canParse(t),
      "must be an absolute http(s) URL without query or fragment",
    )
    .optional(),
  TESSERA_PASSWORD_RESET: z.enum(["on", "off"], "expected on or off").default("on"),
  TESSERA_PASSWORD_RESET_TTL: z
    .string()
    .transform((text, ctx) => {
      const ms = parseDuration(text.trim());
      if (ms === null || ms < 60_000 || ms > 24 * HOUR) {
        ctx.addIssue({ code: "custom", message: "expected a duration between 1m and 24h, such as 30m" });
        return z.NEVER;
      }
      return ms;
    })
    .default(30 * 60_000),
  TESSERA_EMAIL_VERIFICATION: z
    .enum(["off", "optional", "required"], "expected off, optional or required")
    .default("optional"),
  TESSERA_RATE_LIMIT_MAIL: rule({ max: 5, windowMs: HOUR }),
  TESSERA_RATE_LIMIT_MAIL_IP: rule({ max: 50, windowMs: HOUR }),
});

/**
 * The mail settings from the merged environment (`TESSERA_APP_URL` defaults to the issuer).
 *
 * @example
 * const mail = loadMailConfig(env, "http://localhost:3000");
 */
export function loadMailConfig(
  env: Readonly<Record<string, string | undefined>>,
  issuer: string,
): MailConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(String(issue?.path[0] ?? "configuration"), issue?.message ?? "is invalid");
  }
  const v = result.data;
  const appUrl = v.TESSERA_APP_URL ?? issuer;
  const mail: MailConfig = {
    smtpUrl: v.TESSERA_SMTP_URL ?? null,
    from: v.TESSERA_MAIL_FROM ?? defaultFrom(appUrl),
    templatesDir: v.TESSERA_MAIL_TEMPLATES ?? null,
    appUrl,
    passwordReset: v.TESSERA_PASSWORD_RESET === "on",
    passwordResetTtlMs: v.TESSERA_PASSWORD_RESET_TTL,
    emailVerification: v.TESSERA_EMAIL_VERIFICATION,
    rateLimitMail: v.TESSERA_RATE_LIMIT_MAIL,
    rateLimitMailIp: v.TESSERA_RATE_LIMIT_MAIL_IP,
  };
  return mail;
}

/** `Tessera <no-reply@<app host>>`; an IP-literal host (a local setup) gives `localhost`. */
function defaultFrom(appUrl: string): string {
  const host = new URL(appUrl).hostname;
  return `Tessera <no-reply@${isIP(host.replace(/^\[|\]$/g, "")) === 0 ? host : "localhost"}>`;
}

/**
 * Production refuses password reset or address verification without SMTP: the links would only
 * reach the console. One line, naming `TESSERA_SMTP_URL`.
 */
export function checkMailInProduction(mail: MailConfig): void {
  if (mail.smtpUrl === null && (mail.passwordReset || mail.emailVerification !== "off")) {
    throw new ConfigError(
      "TESSERA_SMTP_URL",
      "production needs SMTP for password reset and e-mail verification (or set TESSERA_PASSWORD_RESET=off and TESSERA_EMAIL_VERIFICATION=off)",
    );
  }
}
