import { createPostgresStore } from "@tessera/store-postgres";
import { postgresTestsEnabled, startTestPostgres, type TestPostgres } from "@tessera/store-postgres/testing";
import { type RevocationSource, redisRevocationSource } from "@tessera/store-redis";
import { redisTestsEnabled, startTestRedis, type TestRedis } from "@tessera/store-redis/testing";
import { createVerifier, type Verifier } from "@tessera/verify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  changePassword,
  deleteAccount,
  epochOf,
  expectRefreshOrRevoked,
  loginAs,
  raceLoginsAgainst,
  refreshOn,
  registerAndLogin,
  rotationsAfterRevocation,
  type SignedIn,
} from "../test-support/credential-race.js";
import { callInstance, freshClientIp } from "../test-support/instance-call.js";
import { type Instance, startInstances } from "../test-support/spawn-instance.js";
import { MASTER_KEY_HEX } from "../test-support/test-server.js";

// Regressions (issue 14, points 1 and 2) on two `tessera serve` processes over one PostgreSQL and
// one Redis: logins racing a password change or a deletion (a login with the old password kept a
// refreshable session; a deletion race answered 500), and refreshes racing revocations (a refresh
// that lost to the revocation still answered 200, its token carrying the new epoch, and a
// Redis-fed verifier accepted it until the relay's next pass).

const ISSUER = "http://auth.example.test";
const LOGINS = 24;
const PAIRS = 30;

describe.skipIf(!postgresTestsEnabled() || !redisTestsEnabled())("credential races over 2 instances", () => {
  let pg: TestPostgres;
  let redis: TestRedis;
  let databaseUrl: string;
  let instances: Instance[] = [];
  let urls: string[] = [];
  let revocation: RevocationSource;
  let verifier: Verifier;

  beforeAll(async () => {
    [pg, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
    databaseUrl = await pg.createDatabase();
    instances = await startInstances(2, {
      TESSERA_DATABASE_URL: databaseUrl,
      TESSERA_REDIS_URL: redis.url,
      TESSERA_MASTER_KEY: MASTER_KEY_HEX,
      TESSERA_ISSUER: ISSUER,
      TESSERA_RATE_LIMIT_IP: "off",
      TESSERA_RATE_LIMIT_LOGIN: "off",
      TESSERA_TRUST_PROXY: "loopback",
    });
    urls = instances.map((instance) => instance.url);
    revocation = redisRevocationSource({ url: redis.url });
    verifier = createVerifier({
      issuer: ISSUER,
      audience: "tessera",
      jwksUri: `${urls[0]}/.well-known/jwks.json`,
      revocation,
    });
  }, 60_000);

  afterAll(async () => {
    revocation?.close();
    await Promise.all(instances.map((instance) => instance.stop()));
    await redis?.stop();
    await pg?.stop();
  });

  async function auditOf(userIds: readonly string[]) {
    const store = createPostgresStore({ connectionString: databaseUrl });
    try {
      const events = await Promise.all(userIds.map((userId) => store.listAudit({ userId, limit: 10_000 })));
      return events.flat();
    } finally {
      await store.close();
    }
  }

  /** The access tokens among `answers` that the Redis-fed verifier still accepts. */
  async function acceptedByVerifier(tokens: readonly string[]): Promise<string[]> {
    const verdicts = await Promise.all(
      tokens.map((token) =>
        verifier.verify(token).then(
          () => true,
          () => false,
        ),
      ),
    );
    return tokens.filter((_, i) => verdicts[i]);
  }

  it("logins racing a password change: no session of an old-password login survives", async () => {
    const ip = freshClientIp();
    const user = await registerAndLogin(urls, ip);
    await raceLoginsAgainst(urls, user, ip, LOGINS, (url) => changePassword(url, user.access, ip));
  });

  it("logins racing the account's deletion: 200 or invalid_credentials, never 500", async () => {
    const ip = freshClientIp();
    const user = await registerAndLogin(urls, ip);
    await raceLoginsAgainst(urls, user, ip, LOGINS, (url) => deleteAccount(url, user.access, ip));
  });

  it("(refresh, logout) pairs: no rotation commits after its family's revocation", async () => {
    const ip = freshClientIp();
    const first = await registerAndLogin(urls, ip);
    const sessions: SignedIn[] = [first];
    for (let i = 1; i < PAIRS; i++) sessions.push(await loginAs(urls, first.email, ip, i));

    const answers = await Promise.all(
      sessions.flatMap((s, i) => [
        refreshOn(urls, i, s.refresh, s.csrf, ip),
        callInstance(urls[(i + 1) % urls.length] as string, "POST", "/auth/logout", {
          refresh: s.refresh,
          headers: { "x-csrf-token": s.csrf },
          ip,
        }),
      ]),
    );
    expect(answers.filter((_, i) => i % 2 === 1).map((a) => a.status)).toEqual(Array(PAIRS).fill(204));
    const winners = expectRefreshOrRevoked(answers.filter((_, i) => i % 2 === 0));
    expect(rotationsAfterRevocation(await auditOf([first.userId]))).toEqual([]);
    expect(await acceptedByVerifier(winners.map((w) => w.body.access_token))).toEqual([]);
  });

  for (const kind of ["logout-all", "password change"] as const) {
    it(`(refresh, ${kind}) pairs: no 200 after the revocation, nothing a Redis-fed verifier accepts`, async () => {
      const ip = freshClientIp();
      const users: Array<{ caller: SignedIn; racer: SignedIn }> = [];
      for (let i = 0; i < PAIRS; i++) {
        const caller = await registerAndLogin(urls, ip);
        users.push({ caller, racer: await loginAs(urls, caller.email, ip, i) });
      }
      const revoke = (url: string, caller: SignedIn) =>
        kind === "logout-all"
          ? callInstance(url, "POST", "/auth/logout-all", { bearer: caller.access, ip })
          : changePassword(url, caller.access, ip);

      const answers = await Promise.all(
        users.flatMap(({ caller, racer }, i) => [
          refreshOn(urls, i, racer.refresh, racer.csrf, ip),
          revoke(urls[(i + 1) % urls.length] as string, caller),
        ]),
      );
      expect(answers.filter((_, i) => i % 2 === 1).map((a) => a.status)).toEqual(Array(PAIRS).fill(204));
      const winners = expectRefreshOrRevoked(answers.filter((_, i) => i % 2 === 0));
      expect(winners.map((w) => epochOf(w.body.access_token))).toEqual(winners.map(() => 0));
      expect(rotationsAfterRevocation(await auditOf(users.map((u) => u.caller.userId)))).toEqual([]);
      // Every revocation answered 204 after publishing: the verifier refuses every minted token now.
      expect(await acceptedByVerifier(winners.map((w) => w.body.access_token))).toEqual([]);
    });
  }
});
