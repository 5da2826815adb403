import { createServer } from "node:net";
import { buildServer, loadConfig, openStore, type ServerConfig } from "@tessera/server";
import { describe, expect, it } from "vitest";
import type { CheckId } from "./checks/catalog.js";
import { runDoctor } from "./run.js";
import type { DoctorOptions, DoctorReport } from "./types.js";

// The real Tessera server, started by the test on 127.0.0.1; only the master key and an in-memory
// database differ from `npm start` (the doctor cannot tell either from outside).
const BASE_ENV = {
  TESSERA_DATABASE_URL: "sqlite::memory:",
  TESSERA_MASTER_KEY: "8f4b0d6c1e2a3f5b7c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d",
  TESSERA_LOG_LEVEL: "silent",
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the real server (PORT fixed up front, so the default issuer http://localhost:PORT is right). */
async function diagnoseRealServer(
  env: Record<string, string>,
  options: Omit<DoctorOptions, "baseUrl"> = {},
  tweak: (config: ServerConfig) => ServerConfig = (c) => c,
): Promise<DoctorReport> {
  const port = await freePort();
  const config = tweak(loadConfig({ ...BASE_ENV, PORT: String(port), ...env }));
  const store = openStore(config.database);
  await store.migrate();
  const app = await buildServer({ config, store, logger: false, processMetrics: false });
  try {
    await app.listen({ host: "127.0.0.1", port });
    return await runDoctor({ baseUrl: `http://127.0.0.1:${port}`, ...options });
  } finally {
    await app.close();
    await store.close();
  }
}

const status = (report: DoctorReport, id: CheckId) => report.checks.find((c) => c.id === id)?.status;
const hint = (report: DoctorReport, id: CheckId) => report.checks.find((c) => c.id === id)?.hint;

describe("doctor against the real Tessera server", () => {
  it("passes every check in the default configuration (HSTS and --origin not applicable)", async () => {
    const report = await diagnoseRealServer({});
    const notPassing = report.checks.filter(
      (c) => c.status !== "pass" && c.id !== "transport.hsts" && c.id !== "cors.allowed_origin",
    );
    expect(notPassing).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.account).toMatchObject({ mode: "registered", cleanedUp: true });
  });

  it("passes credentialed CORS for an allowed --origin", async () => {
    const origin = "https://app.example.test";
    const report = await diagnoseRealServer(
      { TESSERA_ALLOWED_ORIGINS: origin },
      { origin, rateLimitAttempts: 0 },
    );
    expect(status(report, "cors.allowed_origin")).toBe("pass");
    expect(status(report, "csrf.origin")).toBe("pass");
  });

  it("flags a deployment with login rate limits off", async () => {
    const report = await diagnoseRealServer({ TESSERA_RATE_LIMIT_LOGIN: "off" });
    expect(status(report, "rate_limit.login")).toBe("fail");
    expect(hint(report, "rate_limit.login")).toContain("TESSERA_RATE_LIMIT_LOGIN");
  });

  it("fails a deployment that allows a foreign origin", async () => {
    const report = await diagnoseRealServer(
      { TESSERA_ALLOWED_ORIGINS: "https://evil.example" },
      { rateLimitAttempts: 0 },
    );
    expect(status(report, "cors.credentials")).toBe("fail");
    expect(status(report, "csrf.origin")).toBe("fail");
    expect(hint(report, "csrf.origin")).toContain("TESSERA_ALLOWED_ORIGINS");
    expect(report.ok).toBe(false);
  });

  it("fails over-long access tokens (a config built past the 1 h cap of loadConfig)", async () => {
    const report = await diagnoseRealServer({}, { rateLimitAttempts: 0 }, (c) => ({
      ...c,
      accessTokenTtlMs: 48 * 3_600_000,
    }));
    expect(status(report, "token.lifetime")).toBe("fail");
    expect(hint(report, "token.lifetime")).toContain("TESSERA_ACCESS_TOKEN_TTL");
  });

  it("fails production mode reached over plain HTTP with the trusted proxy faked", async () => {
    const report = await diagnoseRealServer(
      {
        NODE_ENV: "production",
        TESSERA_SMTP_URL: "smtp://127.0.0.1:2525",
        TESSERA_TRUST_PROXY: "loopback",
        TESSERA_ISSUER: "https://auth.example.test",
      },
      { rateLimitAttempts: 0 },
    );
    expect(status(report, "transport.https")).toBe("fail");
    expect(hint(report, "transport.https")).toContain("TESSERA_TRUST_PROXY");
    expect(status(report, "metadata.issuer")).toBe("fail");
    expect(report.ok).toBe(false);
  });
});
