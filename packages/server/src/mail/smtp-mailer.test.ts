import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SmtpSink, startSmtpSink } from "../test-support/smtp-sink.js";
import { createSmtpMailer } from "./smtp-mailer.js";
import { loadTemplates } from "./templates.js";

const LINK = "https://app.example/reset-password#token=c2VjcmV0LXRva2VuLXRoYXQtbXVzdC1ub3QtbGVhaw";

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink?.close();
});

function mailerWithLog(retryDelaysMs: number[]) {
  const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
  const log = {
    warn: (fields: Record<string, unknown>, message: string) =>
      lines.push({ level: "warn", fields, message }),
    error: (fields: Record<string, unknown>, message: string) =>
      lines.push({ level: "error", fields, message }),
  };
  const mailer = createSmtpMailer({
    smtpUrl: sink.url,
    from: "Tessera <no-reply@example.test>",
    render: loadTemplates(null),
    log,
    retryDelaysMs,
  });
  return { mailer, lines };
}

const mail = (to: string) => ({
  kind: "password_reset" as const,
  to,
  link: LINK,
  expiresAt: Date.now() + 60_000,
});

describe("SMTP mailer", () => {
  it("send returns at once; a refused delivery is retried until it succeeds", async () => {
    const { mailer, lines } = mailerWithLog([5, 5]);
    sink.refuseNext(2);
    mailer.send(mail("retry@example.test"));
    await mailer.idle();
    expect(sink.mails.filter((m) => m.to.includes("retry@example.test"))).toHaveLength(1);
    expect(lines.map((l) => [l.level, l.fields.attempt, l.fields.smtp])).toEqual([
      ["warn", 1, 451],
      ["warn", 2, 451],
    ]);
    await mailer.close();
  });

  it("gives up after the bounded retries, logging kind, attempt and code but never the link", async () => {
    const { mailer, lines } = mailerWithLog([5]);
    sink.refuseNext(2);
    mailer.send(mail("lost@example.test"));
    await mailer.idle();
    expect(sink.mails.some((m) => m.to.includes("lost@example.test"))).toBe(false);
    expect(lines.map((l) => l.level)).toEqual(["warn", "error"]);
    expect(lines[1]?.fields).toEqual({ kind: "password_reset", attempt: 2, code: "EMESSAGE", smtp: 451 });
    expect(JSON.stringify(lines)).not.toContain("c2VjcmV0");
    await mailer.close();
  });

  it("close ends a pending retry wait at once and sends nothing more", async () => {
    const { mailer, lines } = mailerWithLog([3_600_000]);
    sink.refuseNext(1);
    mailer.send(mail("closing@example.test"));
    // Wait until the retry is scheduled (its warning logged), then close while it waits.
    while (lines.length === 0) await new Promise((r) => setTimeout(r, 5));
    await mailer.close();
    mailer.send(mail("after-close@example.test"));
    await mailer.idle();
    expect(
      sink.mails.some((m) => m.to.includes("closing@example.test") || m.to.includes("after-close")),
    ).toBe(false);
  });
});
