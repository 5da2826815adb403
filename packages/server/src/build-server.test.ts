import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Store } from "@tessera/core";
import { afterAll, describe, expect, it } from "vitest";
import { buildServer } from "./build-server.js";
import { loadConfig } from "./config/load-config.js";
import { openStore } from "./open-store.js";
import { countingHasher } from "./test-support/counting-hasher.js";
import { TEST_ENV } from "./test-support/test-server.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-tls-"));
const opened: Array<{ close(): Promise<unknown> }> = [];
afterAll(async () => {
  for (const thing of opened.reverse()) await thing.close();
});

async function migratedStore(): Promise<Store> {
  const store = openStore({ kind: "sqlite", path: ":memory:" });
  await store.migrate();
  return store;
}

describe("HTTPS", () => {
  it("serves HTTPS from TESSERA_TLS_CERT/KEY, with HSTS in production", async () => {
    const cert = join(dir, "cert.pem");
    const key = join(dir, "key.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost",
      ],
      { stdio: "ignore" },
    );
    const config = loadConfig({
      ...TEST_ENV,
      NODE_ENV: "production",
      TESSERA_SMTP_URL: "smtp://127.0.0.1:2525",
      TESSERA_TLS_CERT: cert,
      TESSERA_TLS_KEY: key,
    });
    const store = await migratedStore();
    const app = await buildServer({
      config,
      store,
      passwordHasher: countingHasher(),
      logger: false,
      processMetrics: false,
    });
    opened.push(store, app);
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const answer = await new Promise<{ status: number; hsts: unknown; body: string }>((resolve, reject) => {
      const req = httpsRequest(
        { host: "127.0.0.1", port, path: "/healthz", servername: "localhost", ca: readFileSync(cert) },
        (res) => {
          let body = "";
          res.on("data", (c: Buffer) => {
            body += c.toString();
          });
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, hsts: res.headers["strict-transport-security"], body }),
          );
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ status: "ok" });
    expect(answer.hsts).toMatch(/^max-age=31536000; includeSubDomains/);
  });
});

describe("graceful close", () => {
  it("finishes a request in flight, then refuses new connections", async () => {
    const store = await migratedStore();
    let release: () => void = () => {};
    const slowStore: Store = {
      ...store,
      ping: () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    };
    const config = loadConfig(TEST_ENV);
    const app = await buildServer({
      config,
      store: slowStore,
      passwordHasher: countingHasher(),
      logger: false,
      processMetrics: false,
    });
    opened.push(store);
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

    const inFlight = fetch(`${url}/readyz`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = app.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    await closing;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});

describe("ownership", () => {
  it("opens, and closes on app.close(), the store it was not given", async () => {
    const config = loadConfig({
      ...TEST_ENV,
      TESSERA_DATABASE_URL: `sqlite:${join(dir, "own", "tessera.db")}`,
    });
    const store = openStore(config.database);
    await store.migrate();
    await store.close();
    const app = await buildServer({
      config,
      passwordHasher: countingHasher(),
      logger: false,
      processMetrics: false,
    });
    expect((await app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
    await app.close();
    // A second server on the same file opens cleanly, so the first let go of it.
    const again = await buildServer({
      config,
      passwordHasher: countingHasher(),
      logger: false,
      processMetrics: false,
    });
    expect((await again.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
    await again.close();
  });
});

describe("client IP behind proxies", () => {
  async function loginIp(trustProxy: string, forwardedFor: string): Promise<string> {
    const config = loadConfig({ ...TEST_ENV, TESSERA_TRUST_PROXY: trustProxy });
    const store = await migratedStore();
    opened.push(store);
    const app = await buildServer({
      config,
      store,
      passwordHasher: countingHasher(),
      logger: false,
      processMetrics: false,
    });
    opened.push(app);
    const credentials = { email: `ip-${trustProxy}@example.test`, password: "correct horse battery staple" };
    const headers = { "x-forwarded-for": forwardedFor };
    await app.inject({ method: "POST", url: "/auth/register", payload: credentials, headers });
    const login = await app.inject({ method: "POST", url: "/auth/login", payload: credentials, headers });
    const sessions = await app.inject({
      method: "GET",
      url: "/auth/sessions",
      headers: { authorization: `Bearer ${login.json().access_token}` },
    });
    return sessions.json().sessions[0].ip as string;
  }

  it("believes exactly as many X-Forwarded-For hops as TESSERA_TRUST_PROXY says", async () => {
    expect(await loginIp("0", "203.0.113.9, 198.51.100.7")).toBe("127.0.0.1");
    expect(await loginIp("1", "203.0.113.9, 198.51.100.7")).toBe("198.51.100.7");
    expect(await loginIp("2", "203.0.113.9, 198.51.100.7")).toBe("203.0.113.9");
    expect(await loginIp("127.0.0.1/8", "203.0.113.9, 198.51.100.7")).toBe("198.51.100.7");
  });
});
