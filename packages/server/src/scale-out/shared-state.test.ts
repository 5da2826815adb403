import { createPostgresStore } from "@tessera/store-postgres";
import { postgresTestsEnabled } from "@tessera/store-postgres/testing";
import { type RevocationSource, redisRevocationSource } from "@tessera/store-redis";
import { redisTestsEnabled, startTestRedis } from "@tessera/store-redis/testing";
import { createVerifier, type Verifier } from "@tessera/verify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callInstance, freshClientIp } from "../test-support/instance-call.js";
import { msUntilRefused } from "../test-support/revocation-wait.js";
import { STRONG_PASSWORD, uniqueEmail } from "../test-support/test-server.js";
import { useCluster } from "../test-support/use-cluster.js";

// What three `tessera serve` processes share through Redis: one budget of failed logins per
// account+IP and one per-IP request budget, and revocations pushed to verifiers attached there.

const ISSUER = "http://auth.example.test";
const LOGIN_LIMIT = 5;
const IP_LIMIT = 40;
const WAIT_LIMIT_MS = 5_000;

describe.skipIf(!postgresTestsEnabled() || !redisTestsEnabled())("state shared by 3 instances", () => {
  const cluster = useCluster({
    instances: 3,
    redis: startTestRedis,
    env: {
      TESSERA_ISSUER: ISSUER,
      TESSERA_RATE_LIMIT_LOGIN: `${LOGIN_LIMIT}/15m`,
      TESSERA_RATE_LIMIT_IP: `${IP_LIMIT}/1m`,
      TESSERA_TRUST_PROXY: "loopback",
    },
  });
  const at = (i: number) => cluster.urls[i % cluster.urls.length] as string;

  async function register(): Promise<string> {
    const email = uniqueEmail("shared");
    const res = await callInstance(at(0), "POST", "/auth/register", {
      json: { email, password: STRONG_PASSWORD },
      ip: freshClientIp(),
    });
    expect(res.status).toBe(201);
    return email;
  }

  describe("rate limits hold across instances", () => {
    it("failed logins one after another, round-robin: one budget of 401s, then 429", async () => {
      const email = await register();
      const ip = freshClientIp();
      const statuses: number[] = [];
      for (let i = 0; i < 9; i++) {
        const res = await callInstance(at(i), "POST", "/auth/login", {
          json: { email, password: `wrong password ${i}` },
          ip,
        });
        statuses.push(res.status);
        if (res.status === 429) {
          expect(res.body.error).toBe("rate_limited");
          expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
        }
      }
      expect(statuses).toEqual([...Array(LOGIN_LIMIT).fill(401), ...Array(9 - LOGIN_LIMIT).fill(429)]);
      // The right password from that address is refused too; from another address it works.
      const locked = await callInstance(at(1), "POST", "/auth/login", {
        json: { email, password: STRONG_PASSWORD },
        ip,
      });
      expect(locked.status).toBe(429);
      const elsewhere = await callInstance(at(2), "POST", "/auth/login", {
        json: { email, password: STRONG_PASSWORD },
        ip: freshClientIp(),
      });
      expect(elsewhere.status).toBe(200);
    });

    it("15 failed logins fired at once over the 3 instances: exactly one budget answered 401", async () => {
      const email = await register();
      const ip = freshClientIp();
      const answers = await Promise.all(
        Array.from({ length: 15 }, (_, i) =>
          callInstance(at(i), "POST", "/auth/login", { json: { email, password: `wrong ${i}` }, ip }),
        ),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(LOGIN_LIMIT);
      expect(statuses.filter((s) => s === 429)).toHaveLength(15 - LOGIN_LIMIT);
      for (const a of answers.filter((x) => x.status === 429)) {
        expect(a.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
      }
    });

    it("the per-IP limit: 60 requests at once over the 3 instances, exactly one budget gets through", async () => {
      const ip = freshClientIp();
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, i) => callInstance(at(i), "GET", "/auth/me", { ip })),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s !== 429)).toHaveLength(IP_LIMIT);
      expect(statuses.filter((s) => s !== 429 && s !== 401)).toEqual([]);
      // Another address has its own budget.
      expect((await callInstance(at(0), "GET", "/auth/me", { ip: freshClientIp() })).status).toBe(401);
    });
  });

  describe("revocation reaches a verifier attached to Redis", () => {
    let revocation: RevocationSource;
    let verifier: Verifier;

    beforeAll(() => {
      revocation = redisRevocationSource({ url: cluster.redis.url });
      verifier = createVerifier({
        issuer: ISSUER,
        audience: "tessera",
        jwksUri: `${at(1)}/.well-known/jwks.json`,
        revocation,
      });
    });
    afterAll(() => revocation?.close());

    async function signIn() {
      const email = await register();
      const login = await callInstance(at(2), "POST", "/auth/login", {
        json: { email, password: STRONG_PASSWORD },
        ip: freshClientIp(),
      });
      expect(login.status).toBe(200);
      const token = login.body.access_token as string;
      await expect(verifier.verify(token)).resolves.toMatchObject({ sub: login.body.user.id });
      return token;
    }

    /** The delay until the verifier refuses the token (as revoked), in ms; throws after 5 s. */
    async function msUntilRevoked(token: string, since: number): Promise<number> {
      const { ms, code } = await msUntilRefused(verifier, token, since, WAIT_LIMIT_MS);
      expect(code).toBe("token_revoked");
      return ms;
    }

    it("logout-all on instance 1 is seen by the verifier (JWKS from instance 2) at once", async () => {
      const token = await signIn();
      const started = performance.now();
      const logoutAll = await callInstance(at(0), "POST", "/auth/logout-all", {
        bearer: token,
        ip: freshClientIp(),
      });
      expect(logoutAll.status).toBe(204);
      const answered = performance.now();
      const delay = await msUntilRevoked(token, started);
      console.info(
        `[scale-out] logout-all → verifier rejects: ${delay.toFixed(1)} ms after the request was sent ` +
          `(${(delay - (answered - started)).toFixed(1)} ms after its 204)`,
      );
    });

    it("a revocation committed without a push (straight into PostgreSQL) is relayed by the instances", async () => {
      const token = await signIn();
      const me = await callInstance(at(0), "GET", "/auth/me", { bearer: token, ip: freshClientIp() });
      const sessionId = me.body.session.id as string;
      // As if the instance that revoked it had crashed between commit and publish.
      const store = createPostgresStore({ connectionString: cluster.databaseUrl });
      try {
        const started = performance.now();
        expect(await store.revokeSession(sessionId, Date.now(), "admin")).toBe(true);
        const delay = await msUntilRevoked(token, started);
        console.info(
          `[scale-out] revocation without push → relayed to the verifier in ${delay.toFixed(0)} ms`,
        );
      } finally {
        await store.close();
      }
    });
  });
});
