import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { callInstance } from "../test-support/instance-call.js";
import { runCli, spawnInstance } from "../test-support/spawn-instance.js";
import { MASTER_KEY_HEX } from "../test-support/test-server.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-mail-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("tessera serve without SMTP", () => {
  it("in development, prints the reset link on the console", async () => {
    const env = {
      TESSERA_DATABASE_URL: `sqlite:${join(dir, "dev.db")}`,
      TESSERA_MASTER_KEY: MASTER_KEY_HEX,
      TESSERA_APP_URL: "http://app.example.test",
    };
    expect((await runCli(["migrate"], env)).code).toBe(0);
    const instance = await spawnInstance(env);
    try {
      const register = await callInstance(instance.url, "POST", "/auth/register", {
        json: { email: "console@example.test", password: "correct horse battery staple" },
      });
      expect(register.status).toBe(201);
      const forgot = await callInstance(instance.url, "POST", "/auth/password/forgot", {
        json: { email: "console@example.test" },
      });
      expect(forgot.status).toBe(202);
      const deadline = Date.now() + 10_000;
      while (!instance.output().includes("reset-password#token=") && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(instance.output()).toMatch(
        /password_reset for console@example\.test: http:\/\/app\.example\.test\/reset-password#token=[A-Za-z0-9_-]{43}/,
      );
      // The registration's verification link too (verification is optional by default).
      expect(instance.output()).toMatch(/verify-email#token=/);
    } finally {
      await instance.stop();
    }
  });

  it("in production, with recovery on, stops start-up with one line naming TESSERA_SMTP_URL", async () => {
    const run = await runCli(["serve"], {
      NODE_ENV: "production",
      TESSERA_DATABASE_URL: `sqlite:${join(dir, "prod.db")}`,
      TESSERA_MASTER_KEY: MASTER_KEY_HEX,
      TESSERA_TRUST_PROXY: "loopback",
      TESSERA_ISSUER: "https://auth.example.test",
    });
    expect(run.code).not.toBe(0);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("TESSERA_SMTP_URL");
  });
});
