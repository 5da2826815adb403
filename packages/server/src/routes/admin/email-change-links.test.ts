import { beforeAll, describe, expect, it } from "vitest";
import { adminCalls } from "../../test-support/admin-calls.js";
import { useAdminMailServer } from "../../test-support/admin-mail-server.js";
import { type SmtpSink, tokenFromMail } from "../../test-support/smtp-sink.js";
import { STRONG_PASSWORD, type TestServer, uniqueEmail } from "../../test-support/test-server.js";

// A link mailed to an address stops working once the account's address is changed: the old
// address's owner (often why an administrator changes it) can neither reset the password nor mark
// the new address verified.
const stack = useAdminMailServer("optional");
let sink: SmtpSink;
let server: TestServer;
beforeAll(() => {
  ({ sink, server } = stack);
});

async function mailTo(email: string, kind: "reset-password" | "verify-email", before: number) {
  const mail = await sink.waitFor(
    (m, i = sink.mails.indexOf(m)) => i >= before && m.to.includes(email) && m.text.includes(kind),
  );
  return tokenFromMail(mail).token;
}

describe("PATCH /admin/users/:id {email}", () => {
  it("makes the reset and verification links mailed to the old address invalid_token", async () => {
    const admin = adminCalls(server);
    const oldEmail = uniqueEmail("old-address");
    const newEmail = uniqueEmail("new-address");
    const before = sink.mails.length;
    const reg = await server.call("POST", "/auth/register", {
      json: { email: oldEmail, password: STRONG_PASSWORD },
    });
    expect(reg.status).toBe(201);
    const userId = reg.body.user.id as string;
    const verifyToken = await mailTo(oldEmail, "verify-email", before);
    expect((await server.call("POST", "/auth/password/forgot", { json: { email: oldEmail } })).status).toBe(
      202,
    );
    const resetToken = await mailTo(oldEmail, "reset-password", before);

    const patched = await admin.call("PATCH", `/admin/users/${userId}`, { email: newEmail });
    expect(patched.status).toBe(200);

    const reset = await server.call("POST", "/auth/password/reset", {
      json: { token: resetToken, new_password: "the old owner's password 1" },
    });
    expect(reset.status).toBe(400);
    expect(reset.body.error).toBe("invalid_token");
    const verify = await server.call("POST", "/auth/email/verify", { json: { token: verifyToken } });
    expect(verify.status).toBe(400);
    expect(verify.body.error).toBe("invalid_token");
    expect((await admin.call("GET", `/admin/users/${userId}`)).body.user.email_verified).toBe(false);
    const login = await server.call("POST", "/auth/login", {
      json: { email: newEmail, password: STRONG_PASSWORD },
    });
    expect(login.status).toBe(200);

    // A link mailed to the new address works as ever.
    const later = sink.mails.length;
    await server.call("POST", "/auth/password/forgot", { json: { email: newEmail } });
    const fresh = await mailTo(newEmail, "reset-password", later);
    const ok = await server.call("POST", "/auth/password/reset", {
      json: { token: fresh, new_password: "the new owner's password 2" },
    });
    expect(ok.status).toBe(204);
  });
});
