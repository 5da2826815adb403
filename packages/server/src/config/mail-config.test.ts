import { describe, expect, it } from "vitest";
import { configFailure } from "../test-support/config-failure.js";
import { loadConfig } from "./load-config.js";

const KEY_HEX = "8f4b0d6c1e2a3f5b7c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d";
const prod = { NODE_ENV: "production", TESSERA_MASTER_KEY: KEY_HEX, TESSERA_TRUST_PROXY: "1" };

const failure = configFailure;

describe("mail configuration", () => {
  it("defaults: reset on for 30 minutes, optional verification, 5/1h per address, 50/1h per IP", () => {
    expect(loadConfig({ TESSERA_ISSUER: "https://auth.example" }).mail).toEqual({
      smtpUrl: null,
      from: "Tessera <no-reply@auth.example>",
      templatesDir: null,
      appUrl: "https://auth.example",
      passwordReset: true,
      passwordResetTtlMs: 30 * 60_000,
      emailVerification: "optional",
      rateLimitMail: { max: 5, windowMs: 3_600_000 },
      rateLimitMailIp: { max: 50, windowMs: 3_600_000 },
    });
  });

  it("a local IP-literal app URL gives a deliverable default sender", () => {
    expect(loadConfig({ TESSERA_APP_URL: "http://127.0.0.1:5173" }).mail.from).toBe(
      "Tessera <no-reply@localhost>",
    );
  });

  it("reads every variable", () => {
    const mail = loadConfig({
      TESSERA_SMTP_URL: "smtps://user:pw@mail.example:465",
      TESSERA_MAIL_FROM: "Example <auth@example.com>",
      TESSERA_MAIL_TEMPLATES: "/etc/tessera/mail",
      TESSERA_APP_URL: "https://app.example/base",
      TESSERA_PASSWORD_RESET: "off",
      TESSERA_PASSWORD_RESET_TTL: "10m",
      TESSERA_EMAIL_VERIFICATION: "required",
      TESSERA_RATE_LIMIT_MAIL: "off",
      TESSERA_RATE_LIMIT_MAIL_IP: "3/1m",
    }).mail;
    expect(mail).toMatchObject({
      smtpUrl: "smtps://user:pw@mail.example:465",
      from: "Example <auth@example.com>",
      templatesDir: "/etc/tessera/mail",
      appUrl: "https://app.example/base",
      passwordReset: false,
      passwordResetTtlMs: 600_000,
      emailVerification: "required",
      rateLimitMail: null,
      rateLimitMailIp: { max: 3, windowMs: 60_000 },
    });
  });

  it("names the variable at fault, never echoing the SMTP URL", () => {
    const error = failure({ TESSERA_SMTP_URL: "http://user:hunter22@mail.example" });
    expect(error.variable).toBe("TESSERA_SMTP_URL");
    expect(error.message).not.toContain("hunter22");
    expect(failure({ TESSERA_APP_URL: "https://app.example/#x" }).variable).toBe("TESSERA_APP_URL");
    expect(failure({ TESSERA_EMAIL_VERIFICATION: "maybe" }).variable).toBe("TESSERA_EMAIL_VERIFICATION");
    expect(failure({ TESSERA_PASSWORD_RESET_TTL: "2d" }).variable).toBe("TESSERA_PASSWORD_RESET_TTL");
    expect(failure({ TESSERA_RATE_LIMIT_MAIL: "lots" }).variable).toBe("TESSERA_RATE_LIMIT_MAIL");
  });

  it("production with recovery or verification on, and no SMTP, stops with one line naming TESSERA_SMTP_URL", () => {
    const error = failure(prod);
    expect(error.variable).toBe("TESSERA_SMTP_URL");
    expect(error.message).toMatch(/^TESSERA_SMTP_URL: [^\n]+$/);
    expect(failure({ ...prod, TESSERA_PASSWORD_RESET: "off" }).variable).toBe("TESSERA_SMTP_URL");
    expect(
      loadConfig({ ...prod, TESSERA_PASSWORD_RESET: "off", TESSERA_EMAIL_VERIFICATION: "off" }).production,
    ).toBe(true);
    expect(loadConfig({ ...prod, TESSERA_SMTP_URL: "smtp://mail.internal:25" }).mail.smtpUrl).toBe(
      "smtp://mail.internal:25",
    );
  });
});
