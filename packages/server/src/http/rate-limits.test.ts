import { afterEach, describe, expect, it } from "vitest";
import {
  RESOURCE_ID,
  RESOURCE_SECRET,
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from "../test-support/test-server.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("failed-login limit per (account, IP)", () => {
  it("answers 429 with Retry-After once the account's failures from this IP are spent", async () => {
    server = await startTestServer({ TESSERA_RATE_LIMIT_LOGIN: "3/15m" });
    const email = uniqueEmail();
    await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
    for (let i = 0; i < 3; i++) {
      const res = await server.call("POST", "/auth/login", {
        json: { email, password: `wrong password ${i}` },
      });
      expect(res.status).toBe(401);
    }
    server.hasher.reset();
    const blocked = await server.call("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD } });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error).toBe("rate_limited");
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(blocked.headers.get("retry-after"))).toBeLessThanOrEqual(900);
    // Refused before any password work.
    expect(server.hasher.calls.verify).toBe(0);
  });

  it("concurrent wrong passwords get exactly the budget of 401s, the rest 429", async () => {
    // Regression: the budget was read before the password work and added to after it, so
    // attempts fired together all passed the check.
    server = await startTestServer({ TESSERA_RATE_LIMIT_LOGIN: "3/15m" });
    const email = uniqueEmail();
    await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        server?.call("POST", "/auth/login", { json: { email, password: `wrong password ${i}` } }),
      ),
    );
    const statuses = answers.map((a) => a?.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(9);
  });

  it("does not lock out the same account from another client IP, nor another account", async () => {
    server = await startTestServer({ TESSERA_RATE_LIMIT_LOGIN: "2/15m", TESSERA_TRUST_PROXY: "loopback" });
    const victim = uniqueEmail();
    const bystander = uniqueEmail();
    for (const email of [victim, bystander]) {
      await server.call("POST", "/auth/register", {
        json: { email, password: STRONG_PASSWORD },
        headers: { "x-forwarded-for": `10.9.${email.length}.1` },
      });
    }
    const attacker = { "x-forwarded-for": "203.0.113.7" };
    for (let i = 0; i < 3; i++) {
      await server.call("POST", "/auth/login", {
        json: { email: victim, password: "guess guess" },
        headers: attacker,
      });
    }
    const attackerAgain = await server.call("POST", "/auth/login", {
      json: { email: victim, password: STRONG_PASSWORD },
      headers: attacker,
    });
    expect(attackerAgain.status).toBe(429);
    const realUser = await server.call("POST", "/auth/login", {
      json: { email: victim, password: STRONG_PASSWORD },
      headers: { "x-forwarded-for": "198.51.100.20" },
    });
    expect(realUser.status).toBe(200);
    const other = await server.call("POST", "/auth/login", {
      json: { email: bystander, password: STRONG_PASSWORD },
      headers: attacker,
    });
    expect(other.status).toBe(200);
  });

  it("successful logins do not spend the failure budget", async () => {
    server = await startTestServer({ TESSERA_RATE_LIMIT_LOGIN: "2/15m" });
    const email = uniqueEmail();
    await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
    for (let i = 0; i < 4; i++) {
      expect(
        (await server.call("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD } })).status,
      ).toBe(200);
    }
  });

  it("a wrong current password on password change spends the same kind of budget", async () => {
    server = await startTestServer({ TESSERA_RATE_LIMIT_LOGIN: "2/15m" });
    const email = uniqueEmail();
    await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
    const login = await server.call("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD } });
    const bearer = login.body.access_token as string;
    const attempt = (current: string) =>
      server?.call("POST", "/auth/password", {
        bearer,
        json: { current_password: current, new_password: "an entirely new passphrase 7" },
      });
    expect((await attempt("wrong one"))?.status).toBe(401);
    expect((await attempt("wrong two"))?.status).toBe(401);
    const blocked = await attempt(STRONG_PASSWORD);
    expect(blocked?.status).toBe(429);
    expect(blocked?.headers.get("retry-after")).toMatch(/^\d+$/);
  });
});

describe("per-IP limits", () => {
  it("limits registrations per IP with the login budget", async () => {
    server = await startTestServer({ TESSERA_RATE_LIMIT_LOGIN: "2/15m" });
    for (let i = 0; i < 2; i++) {
      const res = await server.call("POST", "/auth/register", {
        json: { email: uniqueEmail(), password: STRONG_PASSWORD },
      });
      expect(res.status).toBe(201);
    }
    const res = await server.call("POST", "/auth/register", {
      json: { email: uniqueEmail(), password: STRONG_PASSWORD },
    });
    expect(res.status).toBe(429);
    expect(res.body.error).toBe("rate_limited");
  });

  it("limits every /auth and /oauth request per IP; other paths have a budget of their own", async () => {
    server = await startTestServer({ TESSERA_RATE_LIMIT_IP: "3/1m" });
    for (let i = 0; i < 3; i++) expect((await server.call("GET", "/auth/me")).status).toBe(401);
    const limited = await server.call("POST", "/oauth/token", {
      form: { grant_type: "refresh_token", refresh_token: "x" },
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(limited.body.error).toBe("rate_limited");
    // Regression: a percent-encoded path reaches the same route and must not slip past the limit.
    const encoded = await server.call("GET", "/%61uth/me");
    expect(encoded.status).toBe(429);
    // Regression (issue 14.3): only /auth and /oauth were limited.
    expect((await server.call("GET", "/healthz")).status).toBe(200);
    expect((await server.call("GET", "/.well-known/jwks.json")).status).toBe(200);
    expect((await server.call("GET", "/no-such-path")).status).toBe(404);
    const other = await server.call("GET", "/healthz");
    expect(other.status).toBe(429);
    expect(other.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("`off` disables both limits", async () => {
    server = await startTestServer({ TESSERA_RATE_LIMIT_IP: "off", TESSERA_RATE_LIMIT_LOGIN: "off" });
    const email = uniqueEmail();
    await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
    for (let i = 0; i < 15; i++) {
      expect(
        (await server.call("POST", "/auth/login", { json: { email, password: "wrong password" } })).status,
      ).toBe(401);
    }
  });
});

describe("failed resource credentials per IP", () => {
  const basic = (secret: string) => `Basic ${Buffer.from(`${RESOURCE_ID}:${secret}`).toString("base64")}`;
  const feed = (secret: string, ip: string) =>
    server?.call("GET", "/oauth/revocations", {
      headers: { authorization: basic(secret), "x-forwarded-for": ip },
    });

  // Regression (issue 14.14): resource credentials could be guessed without any limit.
  it("answers 429 with Retry-After once an address has spent its failures; others and good credentials are unaffected", async () => {
    server = await startTestServer({
      TESSERA_RATE_LIMIT_CREDENTIALS: "3/15m",
      TESSERA_TRUST_PROXY: "loopback",
    });
    for (let i = 0; i < 10; i++) expect((await feed(RESOURCE_SECRET, "10.0.0.1"))?.status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await feed(`wrong-${i}`, "10.0.0.1"))?.status).toBe(401);
    const blocked = await feed(RESOURCE_SECRET, "10.0.0.1");
    expect(blocked?.status).toBe(429);
    expect(blocked?.body.error).toBe("rate_limited");
    expect(Number(blocked?.headers.get("retry-after"))).toBeGreaterThan(0);
    const introspect = await server.call("POST", "/oauth/introspect", {
      form: { token: "x" },
      headers: { authorization: basic(RESOURCE_SECRET), "x-forwarded-for": "10.0.0.1" },
    });
    expect(introspect.status).toBe(429);
    expect((await feed(RESOURCE_SECRET, "10.0.0.2"))?.status).toBe(200);
  });
});
