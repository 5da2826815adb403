import { beforeAll, describe, expect, it } from "vitest";
import { adminCalls } from "../test-support/admin-calls.js";
import { useAdminMailServer } from "../test-support/admin-mail-server.js";
import { type SmtpSink, tokenFromMail } from "../test-support/smtp-sink.js";
import { STRONG_PASSWORD, type TestServer, uniqueEmail } from "../test-support/test-server.js";

const stack = useAdminMailServer("required");
let sink: SmtpSink;
let server: TestServer;
let admin: ReturnType<typeof adminCalls>;
beforeAll(() => {
  ({ sink, server } = stack);
  admin = adminCalls(server);
});

const redeem = (ticket: string) => server.call("POST", "/auth/login/ticket", { json: { ticket } });

describe("ticket login with TESSERA_EMAIL_VERIFICATION=required", () => {
  // Regression: a ticket logged in a user whose address was unverified, where the password of
  // the same user was refused with email_unverified.
  it("an unverified address is 403 email_unverified as at password login; once verified the ticket works", async () => {
    const email = uniqueEmail("ticket-unverified");
    const reg = await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
    expect(reg.status).toBe(201);
    const userId = reg.body.user.id as string;
    const { token } = tokenFromMail(await sink.waitFor((m) => m.to.includes(email)));

    const password = await admin.login(email);
    expect([password.res.status, password.res.body.error]).toEqual([403, "email_unverified"]);
    const byTicket = await redeem(await admin.ticket(userId));
    expect([byTicket.status, byTicket.body.error]).toEqual([403, "email_unverified"]);
    expect(byTicket.setCookies).toEqual([]);
    expect(await server.store.listActiveSessions(userId, Date.now())).toEqual([]);
    const audit = await server.store.listAudit({ userId, type: "login.ticket" });
    expect(audit).toEqual([
      expect.objectContaining({ outcome: "failure", data: { reason: "email_unverified" } }),
    ]);

    expect((await server.call("POST", "/auth/email/verify", { json: { token } })).status).toBe(204);
    const after = await redeem(await admin.ticket(userId));
    expect(after.status).toBe(200);
    expect(after.body.user).toMatchObject({ id: userId, email });
  });

  it("a user the admin API created with email_verified: true logs in by ticket", async () => {
    const res = await admin.call("POST", "/admin/users", {
      email: uniqueEmail("ticket-verified"),
      email_verified: true,
    });
    expect(res.status).toBe(201);
    expect((await redeem(await admin.ticket(res.body.user.id))).status).toBe(200);
  });
});
