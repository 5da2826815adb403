import { createPostgresStore } from "@tessera/store-postgres";
import { postgresTestsEnabled } from "@tessera/store-postgres/testing";
import { type RevocationSource, redisRevocationSource } from "@tessera/store-redis";
import { redisTestsEnabled, startTestRedis } from "@tessera/store-redis/testing";
import { createVerifier, type Verifier } from "@tessera/verify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  changePassword,
  deleteAccount,
  raceLoginsAgainst,
  raceRefreshesAgainst,
  registerAndLogin,
} from "../test-support/credential-race.js";
import { freshClientIp } from "../test-support/instance-call.js";
import { useCluster } from "../test-support/use-cluster.js";

// Regressions (issue 14, points 1 and 2) on two `tessera serve` processes over one PostgreSQL and
// one Redis: logins racing a password change or a deletion (a login with the old password kept a
// refreshable session; a deletion race answered 500), and refreshes racing revocations (a refresh
// that lost to the revocation still answered 200, its token carrying the new epoch, and a
// Redis-fed verifier accepted it until the relay's next pass).

const ISSUER = "http://auth.example.test";
const LOGINS = 24;
const PAIRS = 12;

describe.skipIf(!postgresTestsEnabled() || !redisTestsEnabled())("credential races over 2 instances", () => {
  const cluster = useCluster({
    instances: 2,
    redis: startTestRedis,
    env: {
      TESSERA_ISSUER: ISSUER,
      TESSERA_RATE_LIMIT_IP: "off",
      TESSERA_RATE_LIMIT_LOGIN: "off",
      TESSERA_TRUST_PROXY: "loopback",
    },
  });
  let revocation: RevocationSource;
  let verifier: Verifier;

  beforeAll(() => {
    revocation = redisRevocationSource({ url: cluster.redis.url });
    verifier = createVerifier({
      issuer: ISSUER,
      audience: "tessera",
      jwksUri: `${cluster.urls[0]}/.well-known/jwks.json`,
      revocation,
    });
  });
  afterAll(() => revocation?.close());

  async function auditOf(userIds: readonly string[]) {
    const store = createPostgresStore({ connectionString: cluster.databaseUrl });
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
    const user = await registerAndLogin(cluster.urls, ip);
    await raceLoginsAgainst(cluster.urls, user, ip, LOGINS, (url) => changePassword(url, user.access, ip));
  });

  it("logins racing the account's deletion: 200 or invalid_credentials, never 500", async () => {
    const ip = freshClientIp();
    const user = await registerAndLogin(cluster.urls, ip);
    await raceLoginsAgainst(cluster.urls, user, ip, LOGINS, (url) => deleteAccount(url, user.access, ip));
  });

  for (const kind of ["logout", "logout-all", "password change"] as const) {
    it(`refreshing clients vs ${kind}: no 200 after it committed, nothing a Redis-fed verifier accepts`, async () => {
      const winners = await raceRefreshesAgainst(cluster.urls, kind, freshClientIp(), PAIRS, auditOf);
      // Every revocation answered 204 after publishing: the verifier refuses every minted token now.
      expect(await acceptedByVerifier(winners.map((w) => w.body.access_token))).toEqual([]);
    });
  }
});
