// `tessera limits reset` against a real server: with Redis it clears the shared counters itself;
// without, it asks the running server (DELETE /admin/limits) and says why when it cannot.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { redisTestsEnabled, startTestRedis, type TestRedis } from "@tessera/store-redis/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type ServeProcess, startServe } from "../test-support/cli-process.js";

const work = mkdtempSync(join(tmpdir(), "tessera-limits-"));
const base = {
  TESSERA_DATABASE_URL: `sqlite:${join(work, "data", "tessera.db")}`,
  TESSERA_LOG_LEVEL: "warn",
};
const EMAIL = "lin@example.test";
const PASSWORD = "a password for lin 1";

describe("tessera limits reset without Redis: asks the running server", () => {
  const email = "nora@example.test";
  const env: Record<string, string> = {
    TESSERA_DATABASE_URL: `sqlite:${join(work, "memory", "tessera.db")}`,
    TESSERA_LOG_LEVEL: "warn",
    TESSERA_RATE_LIMIT_LOGIN: "2/15m",
    TESSERA_ADMIN_SECRETS: "ops:ops-secret-Vq7Lp2Xz9Kd4Rt8Mw3Nb6Hj",
  };
  let server: ServeProcess;
  beforeAll(async () => {
    expect((await runCli(["users", "add", email], { env, cwd: work, stdin: `${PASSWORD}\n` })).code).toBe(0);
    server = await startServe({ env, cwd: work });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  const login = async (password: string) =>
    (
      await fetch(`${server.url}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password }),
      })
    ).status;

  it("clears the lock-out held in the server's memory through DELETE /admin/limits", async () => {
    expect([await login("wrong one 1"), await login("wrong one 2")]).toEqual([401, 401]);
    expect(await login(PASSWORD)).toBe(429);
    const port = new URL(server.url).port;
    const res = await runCli(["limits", "reset", email], { env: { ...env, PORT: port }, cwd: work });
    expect(res).toMatchObject({
      code: 0,
      stdout: `cleared 1 rate-limit counters for ${email} (in the server at http://127.0.0.1:${port})\n`,
    });
    expect(await login(PASSWORD)).toBe(200);
    const audit = await runCli(["audit", "--type", "admin.request", "--json"], { env, cwd: work });
    expect(audit.stdout).toContain("/admin/limits/:target");
  });

  it("without admin credentials, or with no server there, exits 1 with one line saying why", async () => {
    const noSecrets = { ...env, TESSERA_ADMIN_SECRETS: "" };
    const res = await runCli(["limits", "reset", email], { env: noSecrets, cwd: work });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      "tessera: limits reset: without TESSERA_REDIS_URL the counters live in the running server's memory; " +
        "set TESSERA_ADMIN_SECRETS (as for the server) so that it can be asked\n",
    );
    const nobody = await runCli(["limits", "reset", email], { env: { ...env, PORT: "1" }, cwd: work });
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(
      /^tessera: limits reset: .*no server answers at http:\/\/127\.0\.0\.1:1 .*\n$/,
    );
  });
});

describe.skipIf(!redisTestsEnabled())("tessera limits reset with Redis", () => {
  let redis: TestRedis;
  let server: ServeProcess;
  let env: Record<string, string>;
  beforeAll(async () => {
    redis = await startTestRedis();
    env = { ...base, TESSERA_REDIS_URL: redis.url, TESSERA_RATE_LIMIT_LOGIN: "2/15m" };
    expect((await runCli(["users", "add", EMAIL], { env, cwd: work, stdin: `${PASSWORD}\n` })).code).toBe(0);
    server = await startServe({ env, cwd: work });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await redis?.stop();
  });

  const login = async (password: string) =>
    (
      await fetch(`${server.url}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: EMAIL, password }),
      })
    ).status;

  it("clears an account's failed-login counters, so the right password works again", async () => {
    expect([await login("wrong one 1"), await login("wrong one 2")]).toEqual([401, 401]);
    expect(await login(PASSWORD)).toBe(429);
    const res = await runCli(["limits", "reset", EMAIL], { env, cwd: work });
    expect(res).toMatchObject({ code: 0, stdout: `cleared 1 rate-limit counters for ${EMAIL}\n` });
    expect(await login(PASSWORD)).toBe(200);
  });

  it("clears an address's counters", async () => {
    expect([await login("wrong one 3"), await login("wrong one 4")]).toEqual([401, 401]);
    expect(await login(PASSWORD)).toBe(429);
    const res = await runCli(["limits", "reset", "127.0.0.1"], { env, cwd: work });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^cleared [1-9]\d* rate-limit counters for 127\.0\.0\.1\n$/);
    expect(await login(PASSWORD)).toBe(200);
  });
});
