import { afterAll, beforeAll } from "vitest";
import { type SmtpSink, startSmtpSink } from "./smtp-sink.js";
import { ADMIN_ENV, startTestServer, type TestServer } from "./test-server.js";

/**
 * For a test file: a test SMTP server and a test server with the admin API on that mails through
 * it, with `verification` as `TESSERA_EMAIL_VERIFICATION`; both started before the file's tests and
 * closed after them. Read `sink` and `server` inside tests (they are set by then).
 *
 * @example
 * const stack = useAdminMailServer("required");
 * it("…", async () => { await stack.server.call("POST", "/auth/register", { json }); });
 */
export function useAdminMailServer(verification: "optional" | "required"): {
  sink: SmtpSink;
  server: TestServer;
} {
  const stack = {} as { sink: SmtpSink; server: TestServer };
  beforeAll(async () => {
    stack.sink = await startSmtpSink();
    stack.server = await startTestServer({
      ...ADMIN_ENV,
      TESSERA_SMTP_URL: stack.sink.url,
      TESSERA_APP_URL: "http://app.example.test",
      TESSERA_EMAIL_VERIFICATION: verification,
    });
  });
  afterAll(async () => {
    await stack.server?.close();
    await stack.sink?.close();
  });
  return stack;
}
