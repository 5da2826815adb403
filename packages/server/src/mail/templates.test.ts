import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadTemplates } from "./templates.js";

const NOW = Date.UTC(2030, 0, 1);
const mail = {
  kind: "password_reset" as const,
  to: "ada@example.com",
  link: "https://app.example/reset-password#token=abc",
  expiresAt: NOW + 30 * 60_000,
};

describe("mail templates", () => {
  it("built in: the link, the lifetime, and how to report an unrequested reset", () => {
    const rendered = loadTemplates(null)(mail, NOW);
    expect(rendered.subject).toBe("Reset your password");
    expect(rendered.text).toContain(mail.link);
    expect(rendered.text).toContain("within 30 minutes");
    expect(rendered.text).toMatch(/did not ask for this/);
    expect(rendered.html).toContain(`href="${mail.link}"`);
  });

  it("an operator's files override single parts; values are HTML-escaped in the HTML part", () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-mail-"));
    writeFileSync(join(dir, "password_reset.subject.txt"), "Example: {{email}}\n");
    writeFileSync(join(dir, "password_reset.html"), "<a href='{{link}}'>{{ email }}</a> {{unknown}}");
    const render = loadTemplates(dir);
    const rendered = render({ ...mail, to: "a<b>@example.com", link: "https://app.example/r#token='x" }, NOW);
    expect(rendered.subject).toBe("Example: a<b>@example.com");
    expect(rendered.html).toBe(
      "<a href='https://app.example/r#token=&#39;x'>a&lt;b&gt;@example.com</a> {{unknown}}",
    );
    expect(rendered.text).toContain("https://app.example/r#token='x");
    expect(render({ ...mail, kind: "email_verification" }, NOW).subject).toBe("Confirm your e-mail address");
  });
});
