import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RevocationSource, redisRevocationSource } from "@tessera/store-redis";
import { redisTestsEnabled, startTestRedis, type TestRedis } from "@tessera/store-redis/testing";
import { createVerifier, type Verifier } from "@tessera/verify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, runCli } from "../test-support/cli-process.js";
import { msUntilRefused } from "../test-support/revocation-wait.js";
import { STRONG_PASSWORD, startTestServer, TEST_ENV, type TestServer } from "../test-support/test-server.js";

// The downgrade headline, end to end: an administrator removes a role with the real `tessera`
// CLI while a session is live. The auth server refuses the old access token at once, a verifier
// fed by Redis shortly after (the delay is measured and printed, never asserted), and the
// session's next refresh carries a token without the role.

const WAIT_LIMIT_MS = 10_000;

describe.skipIf(!redisTestsEnabled())("role downgrade reaches a Redis-fed verifier", () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-downgrade-"));
  const rolesFile = join(dir, "roles.json");
  let redis: TestRedis;
  let server: TestServer;
  let env: Record<string, string>;
  let revocation: RevocationSource;
  let verifier: Verifier;

  beforeAll(async () => {
    writeFileSync(rolesFile, JSON.stringify({ roles: { admin: ["users:write"], viewer: ["orders:read"] } }));
    [redis] = await Promise.all([startTestRedis(), buildCli()]);
    env = {
      ...TEST_ENV,
      TESSERA_DATABASE_URL: `sqlite:${join(dir, "tessera.db")}`,
      TESSERA_REDIS_URL: redis.url,
      TESSERA_ROLES_FILE: rolesFile,
      TESSERA_LOG_LEVEL: "warn",
    };
    server = await startTestServer(env);
    revocation = redisRevocationSource({ url: redis.url });
    verifier = createVerifier({
      issuer: server.config.issuer,
      audience: "tessera",
      jwksUri: `${server.url}/.well-known/jwks.json`,
      revocation,
    });
  }, 60_000);

  afterAll(async () => {
    revocation?.close();
    await server?.close();
    await redis?.stop();
  });

  const cli = (args: string[], stdin?: string) =>
    runCli(args, { env, cwd: dir, ...(stdin === undefined ? {} : { stdin }) });

  it("tessera users roles --remove: 401 at the server at once, refused by the verifier, refresh lacks the role", async () => {
    const email = "downgrade@example.test";
    const added = await cli(
      ["users", "add", email, "--role", "admin", "--role", "viewer"],
      `${STRONG_PASSWORD}\n`,
    );
    expect(added.stderr).toBe("");
    expect(added.code).toBe(0);

    const login = await server.call("POST", "/auth/login", {
      json: { email, password: STRONG_PASSWORD, token_delivery: "body" },
    });
    expect(login.status).toBe(200);
    const token = login.body.access_token as string;
    await expect(verifier.verify(token)).resolves.toMatchObject({
      roles: ["admin", "viewer"],
      scope: "users:write orders:read",
    });

    const started = performance.now();
    const removed = await cli(["users", "roles", email, "--remove", "admin"]);
    expect(removed.code).toBe(0);
    const exited = performance.now();
    const atServer = await server.call("GET", "/auth/me", { bearer: token });
    expect(atServer.status).toBe(401);
    expect(atServer.body.error).toBe("token_revoked");

    const { ms: delay, code } = await msUntilRefused(verifier, token, exited, WAIT_LIMIT_MS);
    expect(code).toBe("token_revoked");
    console.info(
      `[downgrade] CLI role removal → Redis-fed verifier refuses the old token ${delay.toFixed(0)} ms after the ` +
        `command exited (the command itself took ${(exited - started).toFixed(0)} ms)`,
    );

    const next = await server.call("POST", "/oauth/token", {
      form: { grant_type: "refresh_token", refresh_token: login.body.refresh_token as string },
    });
    expect(next.status).toBe(200);
    const claims = await verifier.verify(next.body.access_token as string);
    expect(claims).toMatchObject({
      roles: ["viewer"],
      scope: "orders:read",
      sid: login.body.access_token && claims.sid,
    });
    expect(claims.sid).toBe((await verifier.verify(next.body.access_token as string)).sid);
    const me = await server.call("GET", "/auth/me", { bearer: next.body.access_token as string });
    expect(me.status).toBe(200);
    expect(me.body.user.roles).toEqual(["viewer"]);
  }, 60_000);
});
