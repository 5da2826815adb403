import { type RevocationSource, redisRevocationSource } from "@tessera/store-redis";
import { createVerifier, type Verifier } from "@tessera/verify";
import { expect } from "vitest";
import { callInstance, freshClientIp } from "./instance-call.js";
import type { Instance } from "./spawn-instance.js";
import { STRONG_PASSWORD, uniqueEmail } from "./test-server.js";

/** A user signed in over two instances, and a Redis-attached verifier that accepts its token. */
export interface WatchedLogin {
  email: string;
  userId: string;
  access: string;
  verifier: Verifier;
  /** Close it after the test. */
  revocation: RevocationSource;
}

/**
 * Registers on `a`, logs in on `b`, and builds a `@tessera/verify` verifier (JWKS from `a`,
 * revocations from Redis) that accepts the access token.
 *
 * @example
 * const watched = await watchedLogin(a, b, redis.url, ISSUER, "redis-outage");
 */
export async function watchedLogin(
  a: Instance,
  b: Instance,
  redisUrl: string,
  issuer: string,
  label: string,
): Promise<WatchedLogin> {
  const email = uniqueEmail(label);
  const register = await callInstance(a.url, "POST", "/auth/register", {
    json: { email, password: STRONG_PASSWORD },
    ip: freshClientIp(),
  });
  expect(register.status).toBe(201);
  const login = await callInstance(b.url, "POST", "/auth/login", {
    json: { email, password: STRONG_PASSWORD },
    ip: freshClientIp(),
  });
  const revocation = redisRevocationSource({ url: redisUrl });
  const verifier = createVerifier({
    issuer,
    audience: "tessera",
    jwksUri: `${a.url}/.well-known/jwks.json`,
    revocation,
  });
  const access = login.body.access_token as string;
  const userId = login.body.user.id as string;
  await expect(verifier.verify(access)).resolves.toMatchObject({ sub: userId });
  return { email, userId, access, verifier, revocation };
}

/**
 * Fails `limit` logins for `email` from one fresh client address on `url`, then one more; the
 * failed-login budget must answer 401 `limit` times, then 429.
 *
 * @example
 * await expectLoginBudgetRunsOut(a.url, email, 3);
 */
export async function expectLoginBudgetRunsOut(url: string, email: string, limit: number): Promise<void> {
  const attacker = freshClientIp();
  const statuses: number[] = [];
  for (let i = 0; i <= limit; i++) {
    const res = await callInstance(url, "POST", "/auth/login", {
      json: { email, password: `wrong ${i}` },
      ip: attacker,
    });
    statuses.push(res.status);
  }
  expect(statuses).toEqual([...Array(limit).fill(401), 429]);
}
