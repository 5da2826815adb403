import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MailKind, OutgoingMail } from "@tessera/core";

/** A mail ready to send. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

interface Template {
  subject: string;
  text: string;
  html: string;
}

const BUILT_IN: Record<MailKind, Template> = {
  password_reset: {
    subject: "Reset your password",
    text: `Someone asked to reset the password of the account {{email}}.

To choose a new password, open this link within {{expires_minutes}} minutes:

{{link}}

The link works once. Resetting signs you out everywhere.

If you did not ask for this, ignore this mail: your password stays as it is. If you keep getting
these mails, tell the administrator of this service by replying to this mail.
`,
    html: `<p>Someone asked to reset the password of the account <b>{{email}}</b>.</p>
<p>To choose a new password, open this link within {{expires_minutes}} minutes:</p>
<p><a href="{{link}}">Reset your password</a></p>
<p>The link works once. Resetting signs you out everywhere.</p>
<p>If you did not ask for this, ignore this mail: your password stays as it is. If you keep getting
these mails, tell the administrator of this service by replying to this mail.</p>
`,
  },
  email_verification: {
    subject: "Confirm your e-mail address",
    text: `Please confirm that {{email}} is your address by opening this link within {{expires_minutes}} minutes:

{{link}}

If you did not create an account, ignore this mail.
`,
    html: `<p>Please confirm that <b>{{email}}</b> is your address by opening this link within
{{expires_minutes}} minutes:</p>
<p><a href="{{link}}">Confirm your address</a></p>
<p>If you did not create an account, ignore this mail.</p>
`,
  },
};

const PART_FILES = { subject: "subject.txt", text: "txt", html: "html" } as const;

/**
 * The templates, each part overridable by a file in `dir`: `<kind>.subject.txt`, `<kind>.txt`,
 * `<kind>.html` (`password_reset`, `email_verification`). Placeholders: `{{link}}`, `{{email}}`,
 * `{{expires_minutes}}`; values are HTML-escaped in the HTML part. Read once, at start-up.
 *
 * @example
 * const render = loadTemplates("/etc/tessera/mail");
 * const { subject, text, html } = render(mail);
 */
export function loadTemplates(dir: string | null): (mail: OutgoingMail, now: number) => RenderedMail {
  const templates = structuredClone(BUILT_IN);
  if (dir !== null) {
    for (const kind of Object.keys(templates) as MailKind[]) {
      for (const [part, suffix] of Object.entries(PART_FILES) as Array<[keyof Template, string]>) {
        const override = readIfPresent(join(dir, `${kind}.${suffix}`));
        if (override !== null) templates[kind][part] = override;
      }
    }
  }
  return (mail, now) => {
    const template = templates[mail.kind];
    const values = {
      link: mail.link,
      email: mail.to,
      expires_minutes: String(Math.max(1, Math.round((mail.expiresAt - now) / 60_000))),
    };
    return {
      subject: fill(template.subject, values, (v) => v.replace(/[\r\n]+/g, " ")).trim(),
      text: fill(template.text, values, (v) => v),
      html: fill(template.html, values, escapeHtml),
    };
  };
}

function readIfPresent(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

function fill(template: string, values: Record<string, string>, encode: (value: string) => string): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? encode(values[name] as string) : whole,
  );
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}
