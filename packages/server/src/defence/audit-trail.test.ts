import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AuditEvent, ManualClock } from "@tessera/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, runCli, spawnTessera } from "../test-support/cli-process.js";
import { CookieJar } from "../test-support/cookie-jar.js";
import {
  MASTER_KEY_HEX,
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from "../test-support/test-server.js";

// The audit trail, driven through HTTP and the CLI: every security-relevant action is an event
// with time, user, session, IP, user agent and outcome. The server and the CLI share one SQLite
// file; the clock is injected, and the server trusts the loopback proxy so X-Forwarded-For names
// the client IP.

const T0 = Date.parse("2026-04-01T08:00:00.000Z");
const UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const IP = "198.51.100.23";
const NEW_PASSWORD = "a brand new password 456";
const COOKIE = "__Secure-tessera_refresh";

const work = mkdtempSync(join(tmpdir(), "tessera-audit-"));
const cliEnv = {
  TESSERA_DATABASE_URL: `sqlite:${join(work, "tessera.db")}`,
  TESSERA_MASTER_KEY: MASTER_KEY_HEX,
  TESSERA_LOG_LEVEL: "warn",
};
const cli = (args: string[]) => runCli(args, { env: cliEnv, cwd: work });

const clock = new ManualClock(T0);
let server: TestServer;
beforeAll(async () => {
  await buildCli();
  server = await startTestServer({ ...cliEnv, TESSERA_TRUST_PROXY: "loopback" }, { clock });
});
afterAll(async () => {
  await server.close();
});

const headers = (more: Record<string, string> = {}) => ({ "x-forwarded-for": IP, "user-agent": UA, ...more });

async function signIn(email: string, password = STRONG_PASSWORD) {
  const jar = new CookieJar();
  const res = await server.call("POST", "/auth/login", {
    json: { email, password },
    jar,
    headers: headers(),
  });
  expect(res.status).toBe(200);
  const me = await server.call("GET", "/auth/me", { bearer: res.body.access_token, headers: headers() });
  return {
    jar,
    csrf: res.body.csrf_token as string,
    access: res.body.access_token as string,
    sessionId: me.body.session.id as string,
    cookie: () => jar.get(COOKIE)?.value ?? "",
  };
}
type Device = Awaited<ReturnType<typeof signIn>>;

async function refresh(d: Device, cookie?: string, userAgent = UA) {
  return server.call("POST", "/auth/refresh", {
    ...(cookie === undefined ? { jar: d.jar } : {}),
    headers: headers({
      "x-csrf-token": d.csrf,
      "user-agent": userAgent,
      ...(cookie === undefined ? {} : { cookie: `${COOKIE}=${cookie}` }),
    }),
  });
}

describe("the audit trail", () => {
  it("records every issuance, rotation, reuse, revocation, logout, password change, key rotation and context change with its who, where and outcome", async () => {
    const email = uniqueEmail("audit");
    expect(
      (
        await server.call("POST", "/auth/register", {
          json: { email, password: STRONG_PASSWORD },
          headers: headers(),
        })
      ).status,
    ).toBe(201);
    const expected: Array<{ type: string; sessionId: string | null; outcome: string; data?: object }> = [];
    const step = () => clock.advance(1_000);

    // Issuance, and a failed login.
    step();
    const a = await signIn(email);
    expected.push(
      { type: "login.succeeded", sessionId: a.sessionId, outcome: "success" },
      { type: "token.issued", sessionId: a.sessionId, outcome: "success" },
    );
    step();
    expect(
      (
        await server.call("POST", "/auth/login", {
          json: { email, password: "not the password 1" },
          headers: headers(),
        })
      ).status,
    ).toBe(401);
    expected.push({ type: "login.failed", sessionId: null, outcome: "failure" });

    // Rotation, then a replay inside the grace window.
    step();
    const first = a.cookie();
    expect((await refresh(a)).status).toBe(200);
    expected.push({ type: "refresh.rotated", sessionId: a.sessionId, outcome: "success" });
    expect((await refresh(a, first)).status).toBe(200);
    expected.push({ type: "refresh.grace_reissued", sessionId: a.sessionId, outcome: "success" });

    // A context change (another browser family; TESSERA_REFRESH_CONTEXT=audit).
    step();
    expect((await refresh(a, undefined, FIREFOX)).status).toBe(200);
    expected.push(
      { type: "refresh.rotated", sessionId: a.sessionId, outcome: "success" },
      {
        type: "refresh.context_changed",
        sessionId: a.sessionId,
        outcome: "success",
        data: { changed: "browser_family" },
      },
    );

    // Reuse that looks like a late race: the successor is still unused, just past the grace window.
    step();
    const b = await signIn(email);
    const bFirst = b.cookie();
    expect((await refresh(b)).status).toBe(200);
    clock.advance(11_000);
    expect((await refresh(b, bFirst)).status).toBe(401);
    expected.push(
      { type: "login.succeeded", sessionId: b.sessionId, outcome: "success" },
      { type: "token.issued", sessionId: b.sessionId, outcome: "success" },
      { type: "refresh.rotated", sessionId: b.sessionId, outcome: "success" },
      {
        type: "refresh.reuse_detected",
        sessionId: b.sessionId,
        outcome: "failure",
        data: { classification: "late_race" },
      },
      {
        type: "session.revoked",
        sessionId: b.sessionId,
        outcome: "success",
        data: { reason: "reuse_detected" },
      },
    );

    // Reuse that looks like theft: the successor was already used.
    step();
    const c = await signIn(email);
    const cFirst = c.cookie();
    expect((await refresh(c)).status).toBe(200);
    step();
    expect((await refresh(c)).status).toBe(200);
    expect((await refresh(c, cFirst)).status).toBe(401);
    expected.push(
      { type: "login.succeeded", sessionId: c.sessionId, outcome: "success" },
      { type: "token.issued", sessionId: c.sessionId, outcome: "success" },
      { type: "refresh.rotated", sessionId: c.sessionId, outcome: "success" },
      { type: "refresh.rotated", sessionId: c.sessionId, outcome: "success" },
      {
        type: "refresh.reuse_detected",
        sessionId: c.sessionId,
        outcome: "failure",
        data: { classification: "theft" },
      },
      {
        type: "session.revoked",
        sessionId: c.sessionId,
        outcome: "success",
        data: { reason: "reuse_detected" },
      },
    );

    // Revoking one device, logging out, changing the password, logging out everywhere.
    step();
    const d = await signIn(email);
    const e = await signIn(email);
    const f = await signIn(email);
    expected.push(
      ...[d, e, f].flatMap((x) => [
        { type: "login.succeeded", sessionId: x.sessionId, outcome: "success" },
        { type: "token.issued", sessionId: x.sessionId, outcome: "success" },
      ]),
    );
    step();
    const revoke = await server.call("DELETE", `/auth/sessions/${e.sessionId}`, {
      bearer: d.access,
      headers: headers(),
    });
    expect(revoke.status).toBe(204);
    expected.push({ type: "session.revoked", sessionId: e.sessionId, outcome: "success" });
    step();
    const logout = await server.call("POST", "/auth/logout", {
      jar: f.jar,
      headers: headers({ "x-csrf-token": f.csrf }),
    });
    expect(logout.status).toBe(204);
    expected.push({
      type: "session.revoked",
      sessionId: f.sessionId,
      outcome: "success",
      data: { reason: "logout" },
    });
    step();
    const change = await server.call("POST", "/auth/password", {
      json: { current_password: STRONG_PASSWORD, new_password: NEW_PASSWORD },
      bearer: d.access,
      headers: headers(),
    });
    expect(change.status).toBe(204);
    step();
    const g = await signIn(email, NEW_PASSWORD);
    const all = await server.call("POST", "/auth/logout-all", { bearer: g.access, headers: headers() });
    expect(all.status).toBe(204);

    // Key rotation, from the CLI beside the running server.
    step();
    expect((await cli(["keys", "rotate", "--json"])).code).toBe(0);

    const userId = (await server.store.getUserByEmail(email))?.id;
    const events = await server.store.listAudit({ limit: 10_000 });
    const mine = events.filter((ev) => ev.userId === userId);
    const types = new Set(mine.map((ev) => ev.type));
    for (const type of [
      "user.registered",
      "login.succeeded",
      "login.failed",
      "token.issued",
      "refresh.rotated",
      "refresh.grace_reissued",
      "refresh.context_changed",
      "refresh.reuse_detected",
      "session.revoked",
      "user.password_changed",
      "user.logout_all",
    ]) {
      expect(types, type).toContain(type);
    }
    // Each expected event is there with its session, outcome and classification…
    for (const want of expected) {
      const found = mine.find(
        (ev) =>
          ev.type === want.type &&
          ev.sessionId === want.sessionId &&
          ev.outcome === want.outcome &&
          (want.data === undefined || Object.entries(want.data).every(([k, v]) => ev.data[k] === v)),
      );
      expect(found, JSON.stringify(want)).toBeDefined();
    }
    // …and every event a caller caused over HTTP carries time, user, IP and user agent.
    for (const ev of mine) {
      expect(ev.at, ev.type).toBeGreaterThanOrEqual(T0);
      expect(ev.at, ev.type).toBeLessThanOrEqual(clock.now());
      expect(ev.userId, ev.type).toBe(userId);
      expect(ev.ip, ev.type).toBe(IP);
      expect([UA, FIREFOX], ev.type).toContain(ev.userAgent);
      expect(["success", "failure"], ev.type).toContain(ev.outcome);
      if (ev.type.startsWith("refresh.") || ev.type.startsWith("token.") || ev.type === "login.succeeded") {
        expect(ev.sessionId, ev.type).not.toBeNull();
      }
    }
    // The key rotation has no HTTP caller: it carries its time and outcome, and no user or IP.
    const rotated = events.find((ev) => ev.type === "key.rotated");
    expect(rotated).toMatchObject({ outcome: "success", userId: null, ip: null });
    expect(typeof rotated?.at).toBe("number");
  });
});

describe("tessera audit", () => {
  let email: string;
  let userId: string;
  beforeAll(async () => {
    email = uniqueEmail("auditcli");
    await server.call("POST", "/auth/register", {
      json: { email, password: STRONG_PASSWORD },
      headers: headers(),
    });
    clock.set(Date.parse("2026-04-02T10:00:00.000Z"));
    await signIn(email);
    clock.set(Date.parse("2026-04-03T10:00:00.000Z"));
    await server.call("POST", "/auth/login", {
      json: { email, password: "wrong password 789" },
      headers: headers(),
    });
    userId = (await server.store.getUserByEmail(email))?.id ?? "";
  });

  const parse = (stdout: string) =>
    stdout
      .trim()
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as AuditEvent);

  it("filters by user (e-mail or id), type and time (ISO dates)", async () => {
    const byEmail = await cli(["audit", "--json", "--user", email]);
    expect(byEmail.code).toBe(0);
    const events = parse(byEmail.stdout);
    expect(events.map((e) => e.type)).toEqual([
      "user.registered",
      "login.succeeded",
      "token.issued",
      "login.failed",
    ]);
    expect(events.every((e) => e.userId === userId)).toBe(true);
    expect(parse((await cli(["audit", "--json", "--user", userId])).stdout)).toEqual(events);

    const failed = parse((await cli(["audit", "--json", "--user", email, "--type", "login.failed"])).stdout);
    expect(failed.map((e) => e.type)).toEqual(["login.failed"]);

    const window = parse(
      (
        await cli([
          "audit",
          "--json",
          "--user",
          email,
          "--since",
          "2026-04-02T00:00:00Z",
          "--until",
          "2026-04-02T23:59:59Z",
        ])
      ).stdout,
    );
    expect(window.map((e) => e.type)).toEqual(["login.succeeded", "token.issued"]);
    expect((await cli(["audit", "--user", "nobody@example.test"])).code).toBe(1);
    expect((await cli(["audit", "--since", "yesterday-ish"])).code).toBe(1);
  });

  it("accepts durations for --since/--until (counted back from the CLI's now)", async () => {
    // One more event at the real current time; the others are months older.
    clock.set(Date.now());
    await server.call("POST", "/auth/login", {
      json: { email, password: "wrong password 790" },
      headers: headers(),
    });
    const recent = parse((await cli(["audit", "--json", "--user", email, "--since", "1h"])).stdout);
    expect(recent.map((e) => e.type)).toEqual(["login.failed"]);
    const older = parse((await cli(["audit", "--json", "--user", email, "--until", "1h"])).stdout);
    expect(older).toHaveLength(4);
  });

  it("--limit keeps the most recent events, still oldest first", async () => {
    const last = parse((await cli(["audit", "--json", "--user", email, "--limit", "2"])).stdout);
    expect(last.map((e) => e.type)).toEqual(["login.failed", "login.failed"]);
    expect(last[0]?.at).toBeLessThan(last[1]?.at ?? 0);
    expect((await cli(["audit", "--limit", "0"])).code).toBe(1);
  });

  it("prints a table by default", async () => {
    const res = await cli(["audit", "--user", email]);
    expect(res.code).toBe(0);
    const [header, ...rows] = res.stdout.trimEnd().split("\n");
    expect(header?.split(/\s{2,}/)).toEqual([
      "TIME",
      "TYPE",
      "OUTCOME",
      "USER",
      "SESSION",
      "IP",
      "USER AGENT",
      "DATA",
    ]);
    expect(rows).toHaveLength(5);
    expect(rows[3]).toMatch(/^2026-04-03T10:00:00\.000Z\s+login\.failed\s+failure\s+/);
    expect(rows[3]).toContain(IP);
  });

  it("--follow prints events written after it started, until it is stopped", async () => {
    const follow = await spawnTessera(
      ["audit", "--json", "--follow", "--user", email, "--type", "login.failed"],
      {
        env: cliEnv,
        cwd: work,
      },
    );
    try {
      // The two earlier failures first; then a new one, written while it follows.
      expect((await follow.lines(2)).map((line) => (JSON.parse(line) as AuditEvent).type)).toEqual([
        "login.failed",
        "login.failed",
      ]);
      clock.advance(1_000);
      const res = await server.call("POST", "/auth/login", {
        json: { email, password: "wrong password 791" },
        headers: headers(),
      });
      expect(res.status).toBe(401);
      const lines = await follow.lines(3);
      expect(JSON.parse(lines[2] ?? "")).toMatchObject({ type: "login.failed", userId, at: clock.now() });
    } finally {
      follow.child.kill("SIGTERM");
      await follow.exit;
    }
  });
});
