import { afterAll, beforeAll, expect, it } from "vitest";
import { REFRESH_COOKIE } from "../../http/refresh-cookie.js";
import { adminCalls } from "../../test-support/admin-calls.js";
import { CookieJar } from "../../test-support/cookie-jar.js";
import {
  ADMIN_ENV,
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
} from "../../test-support/test-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(ADMIN_ENV);
});
afterAll(async () => {
  await server?.close();
});

it("no admin answer contains a password, a password hash, or any token but the ticket it creates", async () => {
  const admin = adminCalls(server);
  const secrets = new Set<string>([STRONG_PASSWORD]);
  const answers: Array<{ what: string; text: string; ticket?: string }> = [];
  const record = async (method: string, path: string, json?: unknown) => {
    const res = await admin.call(method, path, json);
    answers.push({ what: `${method} ${path} ${res.status}`, text: res.text });
    return res;
  };

  const user = await admin.createUser();
  // Live sessions of every kind, so their tokens exist while the admin API describes them.
  const cookie = await admin.login(user.email);
  for (const value of [cookie.access, cookie.csrf, cookie.jar.get(REFRESH_COOKIE)?.value]) {
    if (value) secrets.add(value);
  }
  const body = await server.call("POST", "/auth/login", {
    json: { email: user.email, password: STRONG_PASSWORD, token_delivery: "body" },
  });
  for (const key of ["access_token", "refresh_token", "csrf_token"]) secrets.add(body.body[key]);
  const redeemed = await server.call("POST", "/auth/login/ticket", {
    json: { ticket: await admin.ticket(user.id) },
    jar: new CookieJar(),
  });
  secrets.add(redeemed.body.access_token);

  await record("POST", "/admin/users", {
    email: `scan-${Date.now()}@example.test`,
    password: STRONG_PASSWORD,
  });
  await record("GET", "/admin/users?limit=200");
  await record("GET", `/admin/users?email=${encodeURIComponent(user.email)}`);
  await record("GET", `/admin/users/${user.id}`);
  await record("GET", `/admin/users/${user.id}/sessions`);
  await record("PATCH", `/admin/users/${user.id}`, {
    email: user.email,
    password: "another good passphrase 9",
  });
  secrets.add("another good passphrase 9");
  const ticketRes = await record("POST", "/admin/login-tickets", { user_id: user.id });
  const ticket = ticketRes.body.ticket as string;
  (answers.at(-1) as { ticket?: string }).ticket = ticket;
  await record("PATCH", `/admin/users/${user.id}`, { disabled: true });
  await record("DELETE", `/admin/users/${user.id}/sessions`);
  await record("POST", "/admin/users", { email: user.email });
  await record("GET", "/admin/users/nobody");
  await record("DELETE", `/admin/users/${user.id}`);

  const tickets = answers.flatMap((a) => (a.ticket ? [a.ticket] : []));
  expect(tickets).toHaveLength(1);
  for (const answer of answers) {
    expect(answer.text, answer.what).not.toMatch(/\$argon2|\$2[aby]\$|password|hash|epoch|credential/i);
    for (const secret of secrets) expect(answer.text.includes(secret), answer.what).toBe(false);
    // The one ticket appears only in the answer that created it.
    if (answer.ticket === undefined) for (const t of tickets) expect(answer.text.includes(t)).toBe(false);
  }
  expect(answers.length).toBeGreaterThanOrEqual(12);
});
