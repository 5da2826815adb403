import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar } from "../test-support/cookie-jar.js";
import { NEW_PASSWORD, raceLoginsAgainst, registerAndLogin } from "../test-support/credential-race.js";
import { callInstance } from "../test-support/instance-call.js";
import { type ReceivedMail, type SmtpSink, startSmtpSink, tokenFromMail } from "../test-support/smtp-sink.js";
import {
  capturedLogLines,
  leakedSecrets,
  RESOURCE_BASIC,
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from "../test-support/test-server.js";

const APP_URL = "http://app.example.test";

let sink: SmtpSink;
let server: TestServer;
beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer(
    { TESSERA_SMTP_URL: sink.url, TESSERA_APP_URL: APP_URL, TESSERA_EMAIL_VERIFICATION: "off" },
    { mailRetryDelaysMs: [10, 10] },
  );
});
afterAll(async () => {
  await server?.close();
  await sink?.close();
});

async function newUser(target = server) {
  const email = uniqueEmail("recover");
  const reg = await target.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
  expect(reg.status).toBe(201);
  return email;
}

async function login(email: string, password = STRONG_PASSWORD, target = server) {
  const jar = new CookieJar();
  const res = await target.call("POST", "/auth/login", { json: { email, password }, jar });
  return { res, jar, access: res.body?.access_token as string, csrf: res.body?.csrf_token as string };
}

/** Request a reset for `email` and return the token of the mail that arrives for it. */
async function forgot(
  email: string,
  target = server,
): Promise<{ mail: ReceivedMail; token: string; link: string }> {
  const before = sink.mails.length;
  const res = await target.call("POST", "/auth/password/forgot", { json: { email } });
  expect(res.status).toBe(202);
  expect(res.body).toEqual({});
  const mail = await sink.waitFor((m, i = sink.mails.indexOf(m)) => i >= before && m.to.includes(email));
  return { mail, ...tokenFromMail(mail) };
}

const reset = (token: string, newPassword = NEW_PASSWORD, target = server) =>
  target.call("POST", "/auth/password/reset", { json: { token, new_password: newPassword } });

describe("password reset over HTTP and real SMTP", () => {
  it("forgot → mail with a fragment link → reset: old password and every earlier session refused", async () => {
    const email = await newUser();
    const first = await login(email);
    const second = await login(email);
    expect(first.res.status).toBe(200);

    const { mail, token, link } = await forgot(email);
    expect(link).toBe(`${APP_URL}/reset-password#token=${token}`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mail.raw).not.toMatch(/[?&]token=/);
    expect(mail.html).toContain(`${APP_URL}/reset-password#token=${token}`);
    expect(mail.text).toMatch(/did not ask for this/);
    expect(mail.text).not.toContain(STRONG_PASSWORD);
    expect(mail.subject).toBe("Reset your password");

    expect((await reset(token)).status).toBe(204);

    expect((await login(email)).res.status).toBe(401);
    expect((await login(email, NEW_PASSWORD)).res.status).toBe(200);
    for (const earlier of [first, second]) {
      const me = await server.call("GET", "/auth/me", { bearer: earlier.access });
      expect(me.status).toBe(401);
      const refresh = await server.call("POST", "/auth/refresh", {
        jar: earlier.jar,
        headers: { "x-csrf-token": earlier.csrf },
      });
      expect(refresh.status).toBe(401);
    }

    // The same link a second time.
    const again = await reset(token, "yet another passphrase 7");
    expect(again.status).toBe(400);
    expect(again.body.error).toBe("invalid_token");
    expect(again.text).not.toContain(token);

    const audit = await server.store.listAudit({ type: "password.reset" });
    expect(audit.some((e) => e.data.revokedSessions === 2)).toBe(true);
  });

  it("an older link after a newer request is refused; the newer one works", async () => {
    const email = await newUser();
    const older = await forgot(email);
    const newer = await forgot(email);
    const refused = await reset(older.token);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe("invalid_token");
    expect((await reset(newer.token)).status).toBe(204);
  });

  it("an unknown address answers the same 202 {} and sends no mail", async () => {
    const unknown = uniqueEmail("nobody");
    const res = await server.call("POST", "/auth/password/forgot", { json: { email: unknown } });
    expect(res.status).toBe(202);
    expect(res.text).toBe("{}");
    // A mail for a known address requested afterwards arrives; none ever went to the unknown one.
    const known = await newUser();
    await forgot(known);
    expect(sink.mails.some((m) => m.to.includes(unknown))).toBe(false);
    const malformed = await server.call("POST", "/auth/password/forgot", {
      json: { email: "not-an-address" },
    });
    expect(malformed.status).toBe(202);
  });

  it("a weak new password → 400 weak_password, and the token stays usable", async () => {
    const email = await newUser();
    const { token } = await forgot(email);
    const weak = await reset(token, "short");
    expect(weak.status).toBe(400);
    expect(weak.body.error).toBe("weak_password");
    const same = await reset(token, email);
    expect(same.body.error).toBe("weak_password");
    expect((await reset(token)).status).toBe(204);
  });

  it("malformed and unknown tokens → 400 invalid_token, never 500", async () => {
    for (const token of ["x", "A".repeat(43), "../../etc/passwd", "A".repeat(128)]) {
      const res = await reset(token);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe("invalid_token");
    }
    const missing = await server.call("POST", "/auth/password/reset", {
      json: { new_password: NEW_PASSWORD },
    });
    expect(missing.status).toBe(400);
  });

  it("concurrent redemptions of one reset token: exactly one 204", async () => {
    const email = await newUser();
    const { token } = await forgot(email);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => reset(token, `${NEW_PASSWORD} ${i}`)),
    );
    expect(answers.filter((a) => a.status === 204)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 204)) expect(a.body.error).toBe("invalid_token");
  });

  it("a reset racing logins with the old password leaves no old-password session", async () => {
    const ip = "203.0.113.18";
    const user = await registerAndLogin([server.url], ip);
    const { token } = await forgot(user.email);
    await raceLoginsAgainst([server.url], user, ip, 30, (url) =>
      callInstance(url, "POST", "/auth/password/reset", { json: { token, new_password: NEW_PASSWORD }, ip }),
    );
  });

  it("a refused delivery is retried, and logged without the link", async () => {
    const email = await newUser();
    sink.refuseNext(1);
    const refusedBefore = sink.refused;
    const { token } = await forgot(email);
    expect(sink.refused).toBe(refusedBefore + 1);
    const retried = capturedLogLines.filter((line) => line.includes("mail not sent; retrying"));
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.some((line) => line.includes('"code"'))).toBe(true);
    expect(capturedLogLines.some((line) => line.includes(token))).toBe(false);
  });
});

describe("mail rate limits", () => {
  it("per address, counting any address, known or not: 429 after the budget", async () => {
    const limited = await startTestServer({
      TESSERA_SMTP_URL: sink.url,
      TESSERA_RATE_LIMIT_MAIL: "2/1h",
      TESSERA_EMAIL_VERIFICATION: "optional",
    });
    try {
      const email = uniqueEmail("limited");
      // The registration's verification mail counts.
      const reg = await limited.call("POST", "/auth/register", {
        json: { email, password: STRONG_PASSWORD },
      });
      expect(reg.status).toBe(201);
      expect((await limited.call("POST", "/auth/password/forgot", { json: { email } })).status).toBe(202);
      const third = await limited.call("POST", "/auth/password/forgot", { json: { email } });
      expect(third.status).toBe(429);
      expect(third.body.error).toBe("rate_limited");
      const unknown = uniqueEmail("unknown");
      for (const status of [202, 202, 429]) {
        const res = await limited.call("POST", "/auth/password/forgot", { json: { email: unknown } });
        expect(res.status).toBe(status);
      }
    } finally {
      await limited.close();
    }
  });

  it("per IP across addresses", async () => {
    const limited = await startTestServer({ TESSERA_SMTP_URL: sink.url, TESSERA_RATE_LIMIT_MAIL_IP: "3/1h" });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        const res = await limited.call("POST", "/auth/password/forgot", {
          json: { email: uniqueEmail("ip") },
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([202, 202, 202, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe("TESSERA_EMAIL_VERIFICATION=required", () => {
  let strict: TestServer;
  beforeAll(async () => {
    strict = await startTestServer({
      TESSERA_SMTP_URL: sink.url,
      TESSERA_APP_URL: APP_URL,
      TESSERA_EMAIL_VERIFICATION: "required",
    });
  });
  afterAll(async () => {
    await strict?.close();
  });

  it("login: 403 email_unverified after a correct password, 401 after a wrong one; 200 once verified", async () => {
    const email = uniqueEmail("verify");
    const reg = await strict.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
    expect(reg.status).toBe(201);
    const mail = await sink.waitFor((m) => m.to.includes(email));
    const { link, token } = tokenFromMail(mail);
    expect(link).toBe(`${APP_URL}/verify-email#token=${token}`);

    const before = await login(email, STRONG_PASSWORD, strict);
    expect(before.res.status).toBe(403);
    expect(before.res.body.error).toBe("email_unverified");
    const wrong = await login(email, "not the password at all", strict);
    expect(wrong.res.status).toBe(401);
    expect(wrong.res.body.error).toBe("invalid_credentials");

    expect((await strict.call("POST", "/auth/email/verify", { json: { token } })).status).toBe(204);
    const again = await strict.call("POST", "/auth/email/verify", { json: { token } });
    expect(again.status).toBe(400);
    expect(again.body.error).toBe("invalid_token");

    const after = await login(email, STRONG_PASSWORD, strict);
    expect(after.res.status).toBe(200);
    const me = await strict.call("GET", "/auth/me", { bearer: after.access });
    expect(me.body.user.email_verified).toBe(true);
  });

  it("resend (Bearer) mails a new link that supersedes the old one", async () => {
    const email = uniqueEmail("resend");
    await strict.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
    const first = tokenFromMail(await sink.waitFor((m) => m.to.includes(email)));
    // A password reset proves the address too, so the user can sign in to ask for a resend.
    const { token: resetToken } = tokenFromMail(
      await (async () => {
        const count = sink.mails.length;
        await strict.call("POST", "/auth/password/forgot", { json: { email } });
        return sink.waitFor((m, i = sink.mails.indexOf(m)) => i >= count && m.to.includes(email));
      })(),
    );
    expect((await reset(resetToken, NEW_PASSWORD, strict)).status).toBe(204);
    const signedIn = await login(email, NEW_PASSWORD, strict);
    expect(signedIn.res.status).toBe(200);
    // Verified by the reset: a resend sends nothing more, and the old link is still single-use.
    const count = sink.mails.length;
    expect((await strict.call("POST", "/auth/email/resend", { bearer: signedIn.access })).status).toBe(202);
    expect((await strict.call("POST", "/auth/email/resend")).status).toBe(401);
    expect(sink.mails.slice(count).some((m) => m.to.includes(email))).toBe(false);
    expect((await strict.call("POST", "/auth/email/verify", { json: { token: first.token } })).status).toBe(
      204,
    );
  });
});

describe("optional verification", () => {
  it("sends a verification mail at registration, and resend supersedes it", async () => {
    const optional = await startTestServer({
      TESSERA_SMTP_URL: sink.url,
      TESSERA_EMAIL_VERIFICATION: "optional",
    });
    try {
      const email = uniqueEmail("optional");
      await optional.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
      const first = tokenFromMail(await sink.waitFor((m) => m.to.includes(email)));
      const signedIn = await login(email, STRONG_PASSWORD, optional);
      expect(signedIn.res.status).toBe(200);
      const me = await optional.call("GET", "/auth/me", { bearer: signedIn.access });
      expect(me.body.user.email_verified).toBe(false);
      const count = sink.mails.length;
      expect((await optional.call("POST", "/auth/email/resend", { bearer: signedIn.access })).status).toBe(
        202,
      );
      const second = tokenFromMail(
        await sink.waitFor((m, i = sink.mails.indexOf(m)) => i >= count && m.to.includes(email)),
      );
      const stale = await optional.call("POST", "/auth/email/verify", { json: { token: first.token } });
      expect(stale.body.error).toBe("invalid_token");
      expect(
        (await optional.call("POST", "/auth/email/verify", { json: { token: second.token } })).status,
      ).toBe(204);
      const introspected = await optional.call("POST", "/oauth/introspect", {
        form: { token: signedIn.access },
        headers: {
          authorization: RESOURCE_BASIC,
        },
      });
      expect(introspected.body.email_verified).toBe(true);
    } finally {
      await optional.close();
    }
  });
});

describe("no token leaks", () => {
  it("no reset or verification token in the logs or the audit rows", async () => {
    const tokens = sink.mails.flatMap((m) => {
      try {
        return [tokenFromMail(m).token];
      } catch {
        return [];
      }
    });
    expect(tokens.length).toBeGreaterThan(5);
    const audit = JSON.stringify(await server.store.listAudit({ limit: 100_000 }));
    expect(leakedSecrets(audit)).toEqual([]);
    for (const token of tokens) expect(audit).not.toContain(token);
  });
});
