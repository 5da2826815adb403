import { NO_PASSWORD_HASH } from "@tessera/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminCalls } from "../../test-support/admin-calls.js";
import { raceLoginsAgainst, registerAndLogin } from "../../test-support/credential-race.js";
import { callInstance } from "../../test-support/instance-call.js";
import {
  ADMIN_AUTH,
  ADMIN_ENV,
  ADMIN_ID,
  RESOURCE_ID,
  RESOURCE_SECRET,
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from "../../test-support/test-server.js";

const NEW_PASSWORD = "a brand new passphrase 77";

/** Every admin route, with a body that would be valid; `:id` is replaced per test. */
const ADMIN_ROUTES: Array<[string, string, unknown?]> = [
  ["POST", "/admin/users", { email: "x@example.test" }],
  ["GET", "/admin/users"],
  ["GET", "/admin/users/:id"],
  ["PATCH", "/admin/users/:id", { disabled: false }],
  ["DELETE", "/admin/users/:id"],
  ["GET", "/admin/users/:id/sessions"],
  ["DELETE", "/admin/users/:id/sessions"],
  ["POST", "/admin/login-tickets", { user_id: "u" }],
  ["POST", "/admin/users/import", { users: [] }],
  ["DELETE", "/admin/limits/203.0.113.9"],
];

let server: TestServer;
let plain: TestServer;
let admin: ReturnType<typeof adminCalls>;
beforeAll(async () => {
  server = await startTestServer(ADMIN_ENV);
  plain = await startTestServer();
  admin = adminCalls(server);
});
afterAll(async () => {
  await server?.close();
  await plain?.close();
});

describe("the admin credential", () => {
  it("without TESSERA_ADMIN_SECRETS every /admin path answers 404, with or without a credential", async () => {
    for (const [method, path, json] of [...ADMIN_ROUTES, ["GET", "/admin"] as [string, string]]) {
      for (const headers of [{}, ADMIN_AUTH]) {
        const res = await plain.call(method, path.replace(":id", "u1"), {
          headers: { ...headers },
          ...(json !== undefined ? { json } : {}),
        });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.body.error).toBe("not_found");
      }
    }
  });

  it("a missing, wrong or non-admin credential is 401 with a Basic challenge on every admin route", async () => {
    const user = await admin.createUser();
    const { access } = await admin.login(user.email);
    const basic = (id: string, secret: string) =>
      `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
    const wrong = [
      {},
      { authorization: basic(ADMIN_ID, "admin-secret-Vq7Lp2Xz9Kd4Rt8Mw3Nb6Hk") },
      { authorization: basic("someone", "admin-secret-Vq7Lp2Xz9Kd4Rt8Mw3Nb6Hj") },
      { authorization: basic(RESOURCE_ID, RESOURCE_SECRET) },
      { authorization: `Bearer ${access}` },
      { authorization: "Basic !!!" },
    ];
    for (const [method, path, json] of ADMIN_ROUTES) {
      for (const headers of wrong) {
        const res = await server.call(method, path.replace(":id", user.id), {
          headers,
          ...(json !== undefined ? { json } : {}),
        });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.headers.get("www-authenticate")).toMatch(/^Basic /);
        expect(res.body.error).toBe("invalid_client");
      }
    }
    // Nothing was changed by the refused calls.
    expect((await admin.call("GET", `/admin/users/${user.id}`)).body.user.disabled).toBe(false);
  });

  it("every admin call is audited with the credential id, refused ones as failures", async () => {
    const user = await admin.createUser();
    await admin.call("GET", `/admin/users/${user.id}`);
    await server.call("GET", `/admin/users/${user.id}`);
    const rows = (await server.store.listAudit({ type: "admin.request", limit: 10_000 })).filter(
      (row) => row.data.route === "/admin/users/:id" || row.data.route === "/admin/users",
    );
    expect(rows).toContainEqual(
      expect.objectContaining({
        outcome: "success",
        data: { admin: ADMIN_ID, method: "POST", route: "/admin/users", status: 201 },
      }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({
        outcome: "success",
        userId: user.id,
        data: { admin: ADMIN_ID, method: "GET", route: "/admin/users/:id", status: 200 },
      }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({
        outcome: "failure",
        userId: null,
        data: { admin: null, method: "GET", route: "/admin/users/:id", status: 401 },
      }),
    );
  });
});

describe("POST /admin/users", () => {
  it("creates a user who can log in; 409 when taken; 400 for a weak password or an unknown field", async () => {
    const email = uniqueEmail("created");
    const user = await admin.createUser({ email });
    expect(user).toEqual({
      id: expect.any(String),
      email,
      roles: [],
      disabled: false,
      email_verified: false,
      created_at: expect.any(String),
    });
    expect((await admin.login(email)).res.status).toBe(200);
    expect((await admin.call("POST", "/admin/users", { email, password: STRONG_PASSWORD })).status).toBe(409);
    const weak = await admin.call("POST", "/admin/users", { email: uniqueEmail(), password: "short" });
    expect([weak.status, weak.body.error]).toEqual([400, "weak_password"]);
    const unknown = await admin.call("POST", "/admin/users", { email: uniqueEmail(), nickname: "x" });
    expect([unknown.status, unknown.body.error]).toEqual([400, "invalid_request"]);
    expect((await admin.call("POST", "/admin/users", { email: "not an address" })).status).toBe(400);
  });

  it("email_verified (boolean) is stored and answered; anything else is 400", async () => {
    const email = uniqueEmail("verified");
    const res = await admin.call("POST", "/admin/users", { email, email_verified: true });
    expect([res.status, res.body.user.email_verified]).toEqual([201, true]);
    expect((await server.store.getUserByEmail(email))?.emailVerified).toBe(true);
    expect((await admin.call("GET", `/admin/users/${res.body.user.id}`)).body.user.email_verified).toBe(true);
    const bad = await admin.call("POST", "/admin/users", { email: uniqueEmail(), email_verified: "yes" });
    expect([bad.status, bad.body.error]).toEqual([400, "invalid_request"]);
  });

  it("without a password the user cannot log in by password (only by ticket)", async () => {
    const user = await admin.createUser({ password: null });
    expect((await server.store.getUserById(user.id))?.passwordHash).toBe(NO_PASSWORD_HASH);
    for (const password of [STRONG_PASSWORD, "", "undefined"]) {
      const res = await server.call("POST", "/auth/login", { json: { email: user.email, password } });
      expect(res.status).not.toBe(200);
    }
    const ticket = await admin.ticket(user.id);
    expect((await server.call("POST", "/auth/login/ticket", { json: { ticket } })).status).toBe(200);
  });
});

describe("GET /admin/users", () => {
  it("pages through every user with limit and cursor, and finds one by exact e-mail", async () => {
    const mine = [await admin.createUser(), await admin.createUser(), await admin.createUser()];
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? "?limit=2" : `?limit=2&cursor=${cursor}`;
      const res = await admin.call("GET", `/admin/users${query}`);
      expect(res.status).toBe(200);
      expect(res.body.users.length).toBeLessThanOrEqual(2);
      for (const u of res.body.users) seen.push(u.id);
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor !== null && pages < 1000);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort());
    for (const u of mine) expect(seen).toContain(u.id);

    const one = await admin.call(
      "GET",
      `/admin/users?email=${encodeURIComponent(mine[1]?.email.toUpperCase() ?? "")}`,
    );
    expect(one.body).toEqual({ users: [mine[1]], next_cursor: null });
    const none = await admin.call("GET", `/admin/users?email=${encodeURIComponent(uniqueEmail("nobody"))}`);
    expect(none.body).toEqual({ users: [], next_cursor: null });
    for (const bad of ["?limit=0", "?limit=201", "?limit=x", "?cursor=***", "?email=no-at-sign"]) {
      expect((await admin.call("GET", `/admin/users${bad}`)).status, bad).toBe(400);
    }
  });
});

describe("GET, PATCH, DELETE /admin/users/:id", () => {
  it("GET answers the user, 404 for an unknown or malformed id", async () => {
    const user = await admin.createUser();
    expect((await admin.call("GET", `/admin/users/${user.id}`)).body).toEqual({ user });
    expect((await admin.call("GET", "/admin/users/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await admin.call("GET", `/admin/users/${encodeURIComponent(user.email)}`)).status).toBe(404);
  });

  it("PATCH email changes the address (409 when taken, 404 unknown user, 400 unknown field)", async () => {
    const user = await admin.createUser();
    const other = await admin.createUser();
    const moved = uniqueEmail("moved");
    const res = await admin.call("PATCH", `/admin/users/${user.id}`, { email: moved });
    expect(res.body.user).toEqual({ ...user, email: moved });
    expect((await admin.login(moved)).res.status).toBe(200);
    expect((await admin.call("PATCH", `/admin/users/${user.id}`, { email: other.email })).status).toBe(409);
    expect((await admin.call("PATCH", "/admin/users/nobody", { email: uniqueEmail() })).status).toBe(404);
    expect((await admin.call("PATCH", `/admin/users/${user.id}`, { nickname: "x" })).status).toBe(400);
    expect((await admin.call("PATCH", `/admin/users/${user.id}`, { disabled: "yes" })).status).toBe(400);
  });

  it("PATCH password revokes every session and access token; only the new password logs in", async () => {
    const user = await admin.createUser();
    const before = await admin.login(user.email);
    const res = await admin.call("PATCH", `/admin/users/${user.id}`, { password: NEW_PASSWORD });
    expect(res.status).toBe(200);
    expect((await admin.refresh(before.jar, before.csrf)).status).toBe(401);
    expect((await server.call("GET", "/auth/me", { bearer: before.access })).status).toBe(401);
    expect((await admin.login(user.email)).res.status).toBe(401);
    expect((await admin.login(user.email, NEW_PASSWORD)).res.status).toBe(200);
    const audit = await server.store.listAudit({ userId: user.id, type: "user.password_set" });
    expect(audit).toHaveLength(1);
  });

  it("PATCH disabled: right password 403 account_disabled, wrong 401; sessions and tokens dead; enabling revives nothing", async () => {
    const user = await admin.createUser();
    const before = await admin.login(user.email);
    const ticketBefore = await admin.ticket(user.id);
    const off = await admin.call("PATCH", `/admin/users/${user.id}`, { disabled: true });
    expect(off.body.user.disabled).toBe(true);

    const right = await admin.login(user.email);
    expect([right.res.status, right.res.body.error]).toEqual([403, "account_disabled"]);
    const wrong = await admin.login(user.email, "not the password at all");
    expect([wrong.res.status, wrong.res.body.error]).toEqual([401, "invalid_credentials"]);
    const refresh = await admin.refresh(before.jar, before.csrf);
    expect([refresh.status, refresh.body.error]).toEqual([401, "session_revoked"]);
    expect((await server.call("GET", "/auth/me", { bearer: before.access })).status).toBe(401);
    const redeem = await server.call("POST", "/auth/login/ticket", { json: { ticket: ticketBefore } });
    expect([redeem.status, redeem.body.error]).toEqual([403, "account_disabled"]);
    const noTicket = await admin.call("POST", "/admin/login-tickets", { user_id: user.id });
    expect([noTicket.status, noTicket.body.error]).toEqual([403, "account_disabled"]);

    const on = await admin.call("PATCH", `/admin/users/${user.id}`, { disabled: false });
    expect(on.body.user.disabled).toBe(false);
    expect((await admin.refresh(before.jar, before.csrf)).status).toBe(401);
    expect((await admin.login(user.email)).res.status).toBe(200);
  });

  it("logins racing PATCH disabled:true: no session of a login that checked the password survives", async () => {
    const urls = [server.url];
    const ip = "203.0.113.41";
    const user = await registerAndLogin(urls, ip);
    const disable = (url: string) =>
      callInstance(url, "PATCH", `/admin/users/${user.userId}`, {
        json: { disabled: true },
        headers: ADMIN_AUTH,
        ip,
      });
    await raceLoginsAgainst(urls, user, ip, 40, disable, {
      changeStatus: 200,
      refusals: { 401: "invalid_credentials", 403: "account_disabled" },
    });
  });

  it("DELETE deletes the user with every session (204), then 404", async () => {
    const user = await admin.createUser();
    const before = await admin.login(user.email);
    expect((await admin.call("DELETE", `/admin/users/${user.id}`)).status).toBe(204);
    expect((await admin.call("DELETE", `/admin/users/${user.id}`)).status).toBe(404);
    expect((await admin.call("GET", `/admin/users/${user.id}`)).status).toBe(404);
    expect((await admin.refresh(before.jar, before.csrf)).status).toBe(401);
    expect((await server.call("GET", "/auth/me", { bearer: before.access })).status).toBe(401);
    expect((await admin.login(user.email)).res.status).toBe(401);
  });
});

describe("/admin/users/:id/sessions", () => {
  it("GET lists the live sessions; DELETE revokes them all (204); 404 for an unknown user", async () => {
    const user = await admin.createUser();
    const a = await admin.login(user.email);
    const b = await admin.login(user.email);
    const list = await admin.call("GET", `/admin/users/${user.id}/sessions`);
    expect(list.status).toBe(200);
    expect(list.body.sessions).toHaveLength(2);
    expect(list.body.sessions[0]).toMatchObject({ id: expect.any(String), created_at: expect.any(String) });

    expect((await admin.call("DELETE", `/admin/users/${user.id}/sessions`)).status).toBe(204);
    expect((await admin.call("GET", `/admin/users/${user.id}/sessions`)).body.sessions).toEqual([]);
    for (const s of [a, b]) {
      expect((await admin.refresh(s.jar, s.csrf)).status).toBe(401);
      expect((await server.call("GET", "/auth/me", { bearer: s.access })).status).toBe(401);
    }
    expect((await admin.login(user.email)).res.status).toBe(200);
    expect((await admin.call("GET", "/admin/users/nobody/sessions")).status).toBe(404);
    expect((await admin.call("DELETE", "/admin/users/nobody/sessions")).status).toBe(404);
  });
});
