import { ManualClock } from "@tessera/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProof, proofKey } from "../../../core/src/test-support/dpop-proofs.js";
import { REFRESH_COOKIE } from "../http/refresh-cookie.js";
import { adminCalls } from "../test-support/admin-calls.js";
import { CookieJar } from "../test-support/cookie-jar.js";
import {
  ADMIN_ENV,
  APP_ORIGIN,
  capturedLogLines,
  leakedSecrets,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.js";

const RACERS = 20;

let server: TestServer;
let admin: ReturnType<typeof adminCalls>;
beforeAll(async () => {
  server = await startTestServer(ADMIN_ENV);
  admin = adminCalls(server);
});
afterAll(async () => {
  await server?.close();
});

const redeem = (
  ticket: unknown,
  extra: { jar?: CookieJar; headers?: Record<string, string>; delivery?: string } = {},
) =>
  server.call("POST", "/auth/login/ticket", {
    json: { ticket, ...(extra.delivery ? { token_delivery: extra.delivery } : {}) },
    ...(extra.jar ? { jar: extra.jar } : {}),
    ...(extra.headers ? { headers: extra.headers } : {}),
  });

describe("POST /auth/login/ticket", () => {
  it("answers exactly what a password login answers: tokens, CSRF token and the refresh cookie", async () => {
    const user = await admin.createUser();
    const password = await admin.login(user.email);
    const jar = new CookieJar();
    const res = await redeem(await admin.ticket(user.id), { jar, headers: { origin: APP_ORIGIN } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(Object.keys(password.res.body).sort());
    expect(res.body).toMatchObject({ token_type: "Bearer", user: { id: user.id, email: user.email } });
    expect(res.headers.get("cache-control")).toBe("no-store");
    const cookieLine = res.setCookies.find((line) => line.startsWith(`${REFRESH_COOKIE}=`)) ?? "";
    const passwordLine = password.res.setCookies.find((line) => line.startsWith(`${REFRESH_COOKIE}=`)) ?? "";
    const attributes = (line: string) =>
      line
        .split(";")
        .slice(1)
        .map((a) => a.trim().split("=")[0]);
    expect(attributes(cookieLine)).toEqual(attributes(passwordLine));

    const me = await server.call("GET", "/auth/me", { bearer: res.body.access_token });
    expect(me.body.user).toEqual({ id: user.id, email: user.email, roles: [], email_verified: false });
    const refreshed = await admin.refresh(jar, res.body.csrf_token);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.csrf_token).toBe(res.body.csrf_token);
  });

  it("body delivery hands out the refresh token; a DPoP proof binds the session as at login", async () => {
    const user = await admin.createUser({ password: null });
    const body = await redeem(await admin.ticket(user.id), { delivery: "body" });
    expect(body.status).toBe(200);
    expect(body.setCookies).toEqual([]);
    expect(body.body.refresh_token).toEqual(expect.any(String));

    const key = await proofKey("ES256");
    const htu = `${server.config.issuer.replace(/\/+$/, "")}/auth/login/ticket`;
    const bound = await redeem(await admin.ticket(user.id), {
      delivery: "body",
      headers: { dpop: await makeProof(key, { htm: "POST", htu }) },
    });
    expect(bound.status).toBe(200);
    expect(bound.body.token_type).toBe("DPoP");
    // A cookie session cannot be bound, as at login.
    const cookieBound = await redeem(await admin.ticket(user.id), {
      headers: { dpop: await makeProof(key, { htm: "POST", htu }) },
    });
    expect(cookieBound.status).toBe(400);
  });

  it("a ticket works once: used, unknown and malformed tickets are 401 invalid_ticket", async () => {
    const user = await admin.createUser();
    const ticket = await admin.ticket(user.id);
    expect((await redeem(ticket)).status).toBe(200);
    for (const bad of [ticket, "A".repeat(43), "short", `${ticket}x`]) {
      const res = await redeem(bad);
      expect([res.status, res.body.error], bad).toEqual([401, "invalid_ticket"]);
    }
    expect((await redeem(42)).status).toBe(400);
  });

  it("a ticket made before a password is set or reset is 401 invalid_ticket after it", async () => {
    const user = await admin.createUser();
    const beforeSet = await admin.ticket(user.id);
    const patched = await admin.call("PATCH", `/admin/users/${user.id}`, {
      password: "set by the admin 4242",
    });
    expect(patched.status).toBe(200);
    const res = await redeem(beforeSet);
    expect([res.status, res.body.error]).toEqual([401, "invalid_ticket"]);
    expect((await redeem(await admin.ticket(user.id))).status).toBe(200);
  });

  it("a ticket in a query string is refused (400) and stays unused", async () => {
    const user = await admin.createUser();
    const ticket = await admin.ticket(user.id);
    const res = await server.call("POST", `/auth/login/ticket?ticket=${ticket}`, { json: { ticket } });
    expect([res.status, res.body.error]).toEqual([400, "invalid_request"]);
    expect((await redeem(ticket)).status).toBe(200);
  });

  it("an Origin that is not allowed is 403 and leaves the ticket unused", async () => {
    const user = await admin.createUser();
    const ticket = await admin.ticket(user.id);
    const res = await redeem(ticket, { headers: { origin: "https://evil.example" } });
    expect([res.status, res.body.error]).toEqual([403, "origin_not_allowed"]);
    expect((await redeem(ticket)).status).toBe(200);
  });

  it("unknown users and malformed scopes cannot get a ticket", async () => {
    expect((await admin.call("POST", "/admin/login-tickets", { user_id: "nobody" })).status).toBe(404);
    expect((await admin.call("POST", "/admin/login-tickets", {})).status).toBe(400);
    const user = await admin.createUser();
    const scoped = await admin.call("POST", "/admin/login-tickets", { user_id: user.id, scope: 'bad"scope' });
    expect(scoped.status).toBe(400);
  });

  it("is audited as login.ticket; the ticket is in no log line and no audit row", async () => {
    const user = await admin.createUser();
    const ticket = await admin.ticket(user.id);
    expect((await redeem(ticket)).status).toBe(200);
    expect((await redeem(ticket)).status).toBe(401);
    const rows = await server.store.listAudit({ type: "login.ticket", limit: 10_000 });
    expect(rows.filter((r) => r.userId === user.id).map((r) => r.outcome)).toEqual(["success"]);
    expect(rows.some((r) => r.outcome === "failure" && r.data.reason === "unknown_used_or_expired")).toBe(
      true,
    );
    const audit = JSON.stringify(await server.store.listAudit({ limit: 1_000_000 }));
    expect(audit.includes(ticket)).toBe(false);
    expect(capturedLogLines.some((line) => line.includes(ticket))).toBe(false);
    expect(leakedSecrets(audit)).toEqual([]);
  });

  it(`of ${RACERS} concurrent redemptions of one ticket over HTTP exactly one gets 200 (SQLite)`, async () => {
    const user = await admin.createUser();
    const ticket = await admin.ticket(user.id);
    const results = await Promise.all(Array.from({ length: RACERS }, () => redeem(ticket)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(RACERS - 1).fill(401)]);
    expect(results.filter((r) => r.status === 401).every((r) => r.body.error === "invalid_ticket")).toBe(
      true,
    );
    const sessions = await admin.call("GET", `/admin/users/${user.id}/sessions`);
    expect(sessions.body.sessions).toHaveLength(1);
  });
});

describe("ticket lifetime", () => {
  let timed: TestServer;
  const clock = new ManualClock(Date.UTC(2031, 0, 1));
  beforeAll(async () => {
    timed = await startTestServer(ADMIN_ENV, { clock });
  });
  afterAll(async () => {
    await timed?.close();
  });

  it("a ticket redeemed 60 s or more after it was made is 401 invalid_ticket; just before, it works", async () => {
    const timedAdmin = adminCalls(timed);
    const user = await timedAdmin.createUser();
    const late = await timedAdmin.ticket(user.id);
    const inTime = await timedAdmin.ticket(user.id);
    clock.advance(59_999);
    expect((await timed.call("POST", "/auth/login/ticket", { json: { ticket: inTime } })).status).toBe(200);
    clock.advance(1);
    const res = await timed.call("POST", "/auth/login/ticket", { json: { ticket: late } });
    expect([res.status, res.body.error]).toEqual([401, "invalid_ticket"]);
  });
});

describe("login limits", () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ ...ADMIN_ENV, TESSERA_RATE_LIMIT_LOGIN: "3/15m" });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it("failed redemptions spend the per-IP login failure budget: then 429 with Retry-After, even for a good ticket", async () => {
    const limitedAdmin = adminCalls(limited);
    const good = await limitedAdmin.ticket((await limitedAdmin.createUser()).id);
    for (let i = 0; i < 3; i++) {
      const bad = await limited.call("POST", "/auth/login/ticket", { json: { ticket: "B".repeat(43) } });
      expect(bad.status).toBe(401);
    }
    const refused = await limited.call("POST", "/auth/login/ticket", { json: { ticket: good } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
