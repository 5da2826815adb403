// `tessera limits reset` against a real server whose counters live in a real Redis: a locked-out
// account+address is let in again after the reset, and without Redis the command says why not.
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

describe("tessera limits reset without Redis", () => {
  it("exits 1 with one line saying where the counters are", async () => {
    const res = await runCli(["limits", "reset", EMAIL], { env: base, cwd: work });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      "tessera: limits reset needs TESSERA_REDIS_URL: without Redis each server counts in its own memory; " +
        "those counters clear when their window ends or the instance restarts\n",
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
