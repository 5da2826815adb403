import { type AuditEvent, ManualClock } from "@tessera/core";
import { afterEach, describe, expect, it } from "vitest";
import { CookieJar } from "../test-support/cookie-jar.js";
import {
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from "../test-support/test-server.js";

// TESSERA_REFRESH_CONTEXT over real HTTP. The server trusts the loopback proxy, so each request
// says its client IP in X-Forwarded-For.

const CHROME_126 =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const CHROME_127 = CHROME_126.replace("Chrome/126", "Chrome/127");
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const HOME = "203.0.113.5";
const COOKIE = "__Secure-tessera_refresh";
const CONTEXT_TYPES = ["refresh.context_changed", "refresh.context_mismatch"];

let server: TestServer;
let clock: ManualClock;
afterEach(async () => {
  await server.close();
});

async function start(mode: string) {
  clock = new ManualClock(Date.parse("2026-03-01T09:00:00.000Z"));
  server = await startTestServer(
    { TESSERA_REFRESH_CONTEXT: mode, TESSERA_TRUST_PROXY: "loopback" },
    { clock },
  );
}

const from = (ip: string, userAgent: string) => ({ "x-forwarded-for": ip, "user-agent": userAgent });

/** A device logged in from `ip` with `userAgent`. */
async function device(ip = HOME, userAgent = CHROME_126) {
  const email = uniqueEmail("ctx");
  expect(
    (await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } })).status,
  ).toBe(201);
  const jar = new CookieJar();
  const login = await server.call("POST", "/auth/login", {
    json: { email, password: STRONG_PASSWORD },
    jar,
    headers: from(ip, userAgent),
  });
  expect(login.status).toBe(200);
  const me = await server.call("GET", "/auth/me", { bearer: login.body.access_token });
  return {
    jar,
    csrf: login.body.csrf_token as string,
    access: login.body.access_token as string,
    userId: login.body.user.id as string,
    sessionId: me.body.session.id as string,
    cookie: () => jar.get(COOKIE)?.value ?? "",
  };
}
type Device = Awaited<ReturnType<typeof device>>;

async function refresh(d: Device, ip: string, userAgent: string) {
  clock.advance(60_000);
  return server.call("POST", "/auth/refresh", {
    jar: d.jar,
    headers: { "x-csrf-token": d.csrf, ...from(ip, userAgent) },
  });
}

async function contextEvents(d: Device): Promise<AuditEvent[]> {
  const events = await server.store.listAudit({ userId: d.userId, limit: 1000 });
  return events.filter((e) => CONTEXT_TYPES.includes(e.type));
}

async function sessionsOf(access: string) {
  const res = await server.call("GET", "/auth/sessions", { bearer: access });
  expect(res.status).toBe(200);
  return res.body.sessions as Array<Record<string, unknown>>;
}

describe("strict", () => {
  async function expectMismatch(d: Device, ip: string, userAgent: string, changed: string) {
    const cookie = d.cookie();
    const res = await refresh(d, ip, userAgent);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("context_mismatch");
    expect(res.setCookies.some((c) => c.startsWith(`${COOKIE}=;`))).toBe(true); // cleared

    // The family is dead: the same cookie no longer refreshes, even from the login context.
    const again = await server.call("POST", "/auth/refresh", {
      headers: { cookie: `${COOKIE}=${cookie}`, "x-csrf-token": d.csrf, ...from(HOME, CHROME_126) },
    });
    expect(again.status).toBe(401);
    expect(again.body.error).toBe("session_revoked");
    expect((await server.call("GET", "/auth/me", { bearer: d.access })).status).toBe(401);

    // …and the audit says so.
    const events = await server.store.listAudit({ userId: d.userId, limit: 1000 });
    const mismatch = events.find((e) => e.type === "refresh.context_mismatch");
    expect(mismatch).toMatchObject({
      outcome: "failure",
      userId: d.userId,
      sessionId: d.sessionId,
      ip,
      userAgent,
      data: { changed },
    });
    expect(events.find((e) => e.type === "session.revoked")).toMatchObject({
      sessionId: d.sessionId,
      data: { reason: "context_mismatch" },
    });
  }

  it("an IPv4 outside the login's /16 → 401 context_mismatch, family revoked, audited", async () => {
    await start("strict");
    const d = await device();
    await expectMismatch(d, "198.51.100.7", CHROME_126, "ip_prefix");
  });

  it("an IPv6 outside the login's /48 → 401 context_mismatch", async () => {
    await start("strict");
    const d = await device("2001:db8:1:1::5");
    expect((await refresh(d, "2001:db8:1:ffff::9", CHROME_126)).status).toBe(200); // same /48
    await expectMismatch(d, "2001:db8:2::5", CHROME_126, "ip_prefix");
  });

  it("another browser family (Chrome → Firefox) → 401 context_mismatch", async () => {
    await start("strict");
    const d = await device();
    await expectMismatch(d, HOME, FIREFOX, "browser_family");
  });

  it("a move inside the /16 and a browser version bump are not changes", async () => {
    await start("strict");
    const d = await device();
    expect((await refresh(d, "203.0.7.9", CHROME_127)).status).toBe(200);
    expect((await refresh(d, "203.0.255.1", CHROME_127)).status).toBe(200);
    expect(await contextEvents(d)).toEqual([]);
  });
});

describe("audit (the default)", () => {
  it("the same refresh works and writes refresh.context_changed naming what changed", async () => {
    await start("audit");
    const d = await device();
    const res = await refresh(d, "198.51.100.7", FIREFOX);
    expect(res.status).toBe(200);
    const events = await contextEvents(d);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: "refresh.context_changed",
      outcome: "success",
      userId: d.userId,
      sessionId: d.sessionId,
      ip: "198.51.100.7",
      userAgent: FIREFOX,
      data: { changed: "ip_prefix,browser_family" },
    });
    // One change at a time is named on its own.
    expect((await refresh(d, HOME, FIREFOX)).status).toBe(200);
    expect((await contextEvents(d)).at(-1)?.data).toEqual({ changed: "browser_family" });
    expect((await refresh(d, "2001:db8::1", CHROME_127)).status).toBe(200);
    expect((await contextEvents(d)).at(-1)?.data).toEqual({ changed: "ip_prefix" });
    // Inside the /16 with a newer Chrome: nothing new.
    expect((await refresh(d, "203.0.1.1", CHROME_127)).status).toBe(200);
    expect(await contextEvents(d)).toHaveLength(3);
  });

  it("the sessions list shows where each device was last seen", async () => {
    await start("audit");
    const d = await device();
    const res = await refresh(d, "198.51.100.7", FIREFOX);
    const [session] = await sessionsOf(res.body.access_token);
    expect(session).toMatchObject({
      id: d.sessionId,
      ip: HOME,
      user_agent: CHROME_126,
      last_ip: "198.51.100.7",
      last_user_agent: FIREFOX,
      created_at: "2026-03-01T09:00:00.000Z",
      last_used_at: "2026-03-01T09:01:00.000Z",
      current: true,
    });
  });
});

describe("off", () => {
  it("records no context event; the session still shows where it was last seen", async () => {
    await start("off");
    const d = await device();
    const res = await refresh(d, "198.51.100.7", FIREFOX);
    expect(res.status).toBe(200);
    expect((await refresh(d, "2001:db8::1", CHROME_126)).status).toBe(200);
    expect(await contextEvents(d)).toEqual([]);
    // "off" turns off the check, not the device list: last seen is still recorded.
    const [session] = await sessionsOf(res.body.access_token);
    expect(session).toMatchObject({ ip: HOME, last_ip: "2001:db8::1", last_user_agent: CHROME_126 });
  });
});
