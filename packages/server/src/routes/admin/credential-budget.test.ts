import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_AUTH,
  ADMIN_ENV,
  ADMIN_ID,
  startTestServer,
  type TestServer,
} from "../../test-support/test-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    ...ADMIN_ENV,
    TESSERA_RATE_LIMIT_CREDENTIALS: "3/15m",
    TESSERA_TRUST_PROXY: "loopback",
  });
});
afterAll(async () => {
  await server?.close();
});

const basic = (secret: string) => `Basic ${Buffer.from(`${ADMIN_ID}:${secret}`).toString("base64")}`;
const list = (authorization: string, ip: string) =>
  server.call("GET", "/admin/users?limit=1", { headers: { authorization, "x-forwarded-for": ip } });

describe("the admin credential spends the per-IP credential-failure budget", () => {
  // Regression: admin secrets could be guessed from one address without any limit.
  it("429 rate_limited with Retry-After once an address spent its failures; another address still gets in", async () => {
    const attacker = "10.9.0.1";
    for (let i = 0; i < 3; i++) {
      const res = await list(basic(`admin-secret-guess-${i}-Vq7Lp2Xz9Kd4Rt8Mw3`), attacker);
      expect([res.status, res.body.error]).toEqual([401, "invalid_client"]);
    }
    const blocked = await list(basic("admin-secret-guess-4-Vq7Lp2Xz9Kd4Rt8Mw3"), attacker);
    expect([blocked.status, blocked.body.error]).toEqual([429, "rate_limited"]);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    // Once spent, even the right secret from that address is refused before any comparison.
    expect((await list(ADMIN_AUTH.authorization, attacker)).status).toBe(429);
    const other = await list(ADMIN_AUTH.authorization, "10.9.0.2");
    expect(other.status).toBe(200);
    expect(other.body.users).toEqual(expect.any(Array));
    // The refused calls are audited like any other admin call, without a credential id.
    const rows = await server.store.listAudit({ type: "admin.request", limit: 1000 });
    expect(rows).toContainEqual(
      expect.objectContaining({ data: expect.objectContaining({ admin: null, status: 429 }) }),
    );
  });

  it("DELETE /admin/limits/:ip clears an address's lock-out; anything but an e-mail or IP is 400", async () => {
    const locked = "10.9.0.4";
    for (let i = 0; i < 3; i++) await list(basic(`admin-secret-guess-${i}-Vq7Lp2Xz9Kd4Rt8Mw3`), locked);
    expect((await list(ADMIN_AUTH.authorization, locked)).status).toBe(429);
    const reset = await server.call("DELETE", `/admin/limits/${locked}`, {
      headers: { ...ADMIN_AUTH, "x-forwarded-for": "10.9.0.5" },
    });
    expect([reset.status, reset.body]).toEqual([200, { cleared: 1 }]);
    expect((await list(ADMIN_AUTH.authorization, locked)).status).toBe(200);
    for (const bad of ["nonsense", "10.9.0", "x".repeat(400)]) {
      const res = await server.call("DELETE", `/admin/limits/${bad}`, {
        headers: { ...ADMIN_AUTH, "x-forwarded-for": "10.9.0.5" },
      });
      expect(res.status, bad).toBeGreaterThanOrEqual(400);
      expect(res.status, bad).toBeLessThan(500);
    }
  });

  it("a good admin credential gives its attempt back: many calls from one address are never limited", async () => {
    for (let i = 0; i < 10; i++) expect((await list(ADMIN_AUTH.authorization, "10.9.0.3")).status).toBe(200);
  });
});
