import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCli, runCli, startServe } from "../test-support/cli-process.js";
import { recordSecret } from "../test-support/run-capture.js";

// Secrets from files, through the real `tessera serve`: a bad secret setting stops start-up with
// exit status 78 and exactly one line on stderr naming the variable — and never the secret.

const work = mkdtempSync(join(tmpdir(), "tessera-secrets-"));
const MASTER_KEY = "5a".repeat(32);
const RESOURCE = "orders:resource-secret-from-a-file-0123";
recordSecret(MASTER_KEY);
recordSecret("resource-secret-from-a-file-0123");

function secretFile(name: string, content: string, mode = 0o600): string {
  const path = join(work, name);
  writeFileSync(path, `${content}\n`, { mode });
  chmodSync(path, mode);
  return path;
}

const base = {
  TESSERA_DATABASE_URL: `sqlite:${join(work, "data", "tessera.db")}`,
  TESSERA_LOG_LEVEL: "warn",
};
const production = {
  ...base,
  NODE_ENV: "production",
  TESSERA_SMTP_URL: "smtp://127.0.0.1:2525",
  TESSERA_TRUST_PROXY: "loopback",
};

async function refusedServe(env: Record<string, string>, variable: string): Promise<string> {
  const res = await runCli(["serve"], { env: { PORT: "0", ...env }, cwd: work });
  expect(res.code).toBe(78);
  expect(res.stdout).toBe("");
  const lines = res.stderr.split("\n").filter((line) => line !== "");
  expect(lines).toHaveLength(1);
  expect(lines[0]?.startsWith(`tessera: invalid configuration: ${variable}: `)).toBe(true);
  for (const secret of [MASTER_KEY, RESOURCE]) expect(res.stderr).not.toContain(secret);
  return lines[0] ?? "";
}

beforeAll(async () => {
  await buildCli();
});

describe("tessera serve with secrets from files", () => {
  it("starts in production with every secret from a private file (0600)", async () => {
    const server = await startServe({
      env: {
        ...production,
        TESSERA_DATABASE_URL: "",
        TESSERA_DATABASE_URL_FILE: secretFile("db-url", base.TESSERA_DATABASE_URL),
        TESSERA_MASTER_KEY_FILE: secretFile("master", MASTER_KEY),
        TESSERA_RESOURCE_SECRETS_FILE: secretFile("resources", RESOURCE),
      },
      cwd: work,
    });
    try {
      // The resource credential read from its file is the one the server checks.
      const basic = (secret: string) => `Basic ${Buffer.from(`orders:${secret}`).toString("base64")}`;
      const feed = (secret: string) =>
        fetch(`${server.url}/oauth/revocations`, { headers: { authorization: basic(secret) } });
      expect((await feed("resource-secret-from-a-file-0123")).status).toBe(200);
      expect((await feed("resource-secret-from-a-file-0124")).status).toBe(401);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it("a secret given both ways stops start-up", async () => {
    await refusedServe(
      { ...base, TESSERA_MASTER_KEY: MASTER_KEY, TESSERA_MASTER_KEY_FILE: secretFile("m2", MASTER_KEY) },
      "TESSERA_MASTER_KEY",
    );
    await refusedServe(
      {
        ...base,
        TESSERA_RESOURCE_SECRETS: RESOURCE,
        TESSERA_RESOURCE_SECRETS_FILE: secretFile("r2", RESOURCE),
      },
      "TESSERA_RESOURCE_SECRETS",
    );
  });

  it("an unreadable or empty secret file stops start-up", async () => {
    await refusedServe(
      { ...base, TESSERA_MASTER_KEY_FILE: join(work, "no-such-file") },
      "TESSERA_MASTER_KEY_FILE",
    );
    // A directory cannot be read as a file (root reads any file, so mode 000 would not do).
    await refusedServe({ ...base, TESSERA_REDIS_URL_FILE: work }, "TESSERA_REDIS_URL_FILE");
    await refusedServe(
      { ...base, TESSERA_RESOURCE_SECRETS_FILE: secretFile("empty", "") },
      "TESSERA_RESOURCE_SECRETS_FILE",
    );
  });

  it("a world-readable secret file stops start-up in production (and only there)", async () => {
    const open = secretFile("master-644", MASTER_KEY, 0o644);
    await refusedServe({ ...production, TESSERA_MASTER_KEY_FILE: open }, "TESSERA_MASTER_KEY_FILE");
    await refusedServe(
      {
        ...production,
        TESSERA_MASTER_KEY: MASTER_KEY,
        TESSERA_DATABASE_URL: "",
        TESSERA_DATABASE_URL_FILE: secretFile("db-644", base.TESSERA_DATABASE_URL, 0o644),
      },
      "TESSERA_DATABASE_URL_FILE",
    );
    // The TLS private key is a file too: same rule.
    const cert = secretFile("cert.pem", "-----BEGIN CERTIFICATE-----", 0o644);
    const key = secretFile("key.pem", "-----BEGIN PRIVATE KEY-----", 0o644);
    await refusedServe(
      {
        ...production,
        TESSERA_TRUST_PROXY: "",
        TESSERA_MASTER_KEY: MASTER_KEY,
        TESSERA_TLS_CERT: cert,
        TESSERA_TLS_KEY: key,
      },
      "TESSERA_TLS_KEY",
    );
    // Outside production the same world-readable file is accepted.
    const dev = await startServe({ env: { ...base, TESSERA_MASTER_KEY_FILE: open }, cwd: work });
    const devCode = await dev.stop();
    expect(devCode).toBe(0);
  });

  it("a malformed secret from a file is named, never printed", async () => {
    const line = await refusedServe(
      { ...base, TESSERA_MASTER_KEY_FILE: secretFile("bad-master", "not-a-key-but-still-secret") },
      "TESSERA_MASTER_KEY",
    );
    expect(line).not.toContain("not-a-key");
  });
});
