import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { buildServer } from "../build-server.js";
import { loadConfig } from "../config/load-config.js";
import { openStore } from "../open-store.js";
import { CookieJar } from "../test-support/cookie-jar.js";
import { countingHasher } from "../test-support/counting-hasher.js";
import {
  RUN_DIR,
  recordSecret,
  recordWritten,
  runCaptureSize,
  scanRun,
} from "../test-support/run-capture.js";
import {
  STRONG_PASSWORD,
  startTestServer,
  TEST_ENV,
  type TestServer,
  uniqueEmail,
} from "../test-support/test-server.js";

// The run-wide leak scan (test-support/run-capture.ts) is wired in and able to fail; and even at
// the most verbose log level no credential reaches the log.

const opened: TestServer[] = [];
afterAll(async () => {
  for (const server of opened) await server.close();
});

describe("the run-wide leak scan", () => {
  it("captures this worker's log lines and the secrets its requests used", async () => {
    const server = await startTestServer();
    opened.push(server);
    const email = uniqueEmail("scan");
    await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
    const login = await server.call("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD } });
    expect(login.status).toBe(200);
    const mine = (kind: string) => readFileSync(join(RUN_DIR, `${kind}-${process.pid}.txt`), "utf8");
    expect(mine("secrets").split("\n")).toEqual(
      expect.arrayContaining([login.body.access_token, login.body.csrf_token, STRONG_PASSWORD]),
    );
    expect(mine("log")).toContain('"route":"/auth/login"');
    const size = runCaptureSize();
    expect(size.secrets).toBeGreaterThan(0);
    expect(size.lines).toBeGreaterThan(0);
  });

  it("reports a secret written anywhere in the run (and only then)", () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-scan-check-"));
    writeFileSync(join(dir, "secrets-1.txt"), "eyJhbGciOiJFZERTQSJ9.c2VjcmV0.c2ln\nhunter2-but-longer\n");
    writeFileSync(join(dir, "log-2.txt"), '{"msg":"request","route":"/auth/login","status":200}\n');
    writeFileSync(join(dir, "audit-3.txt"), '{"type":"login.succeeded","ip":"127.0.0.1"}\n');
    expect(scanRun(dir)).toEqual([]);
    writeFileSync(
      join(dir, "log-4.txt"),
      '{"msg":"oops","authorization":"Bearer eyJhbGciOiJFZERTQSJ9.c2VjcmV0.c2ln"}\n',
    );
    writeFileSync(join(dir, "cli-5.txt"), "tessera: password hunter2-but-longer rejected\n");
    expect(scanRun(dir)).toEqual([
      { secret: "eyJhbG…", where: "log-4.txt" },
      { secret: "hunter…", where: "cli-5.txt" },
    ]);
  });
});

describe("logging at trace level", () => {
  it("writes no token, CSRF token or password, even for requests that fail to parse", async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString("utf8").split("\n")) if (line !== "") lines.push(line);
        callback();
      },
    });
    const config = loadConfig(TEST_ENV);
    const store = openStore(config.database);
    await store.migrate();
    const app = await buildServer({
      config,
      store,
      passwordHasher: countingHasher(),
      logger: { level: "trace", stream },
      processMetrics: false,
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    const secrets: string[] = [STRONG_PASSWORD];
    try {
      const jar = new CookieJar();
      const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
        const res = await fetch(`${url}${path}`, {
          method: "POST",
          headers: {
            ...(body === "" ? {} : { "content-type": "application/json" }),
            cookie: jar.header(new URL(url + path)),
            ...headers,
          },
          ...(body === "" ? {} : { body }),
        });
        jar.capture(new URL(url + path), res.headers.getSetCookie());
        return res;
      };
      const email = uniqueEmail("trace");
      const credentials = JSON.stringify({ email, password: STRONG_PASSWORD });
      expect((await post("/auth/register", credentials)).status).toBe(201);
      const login = (await (await post("/auth/login", credentials)).json()) as Record<string, string>;
      const cookie = jar.get("__Secure-tessera_refresh")?.value ?? "";
      secrets.push(login.access_token ?? "", login.csrf_token ?? "", cookie);
      const refreshed = await post("/auth/refresh", "", { "x-csrf-token": login.csrf_token ?? "" });
      expect(refreshed.status).toBe(200);
      secrets.push(((await refreshed.json()) as { access_token: string }).access_token);
      // Failing requests that carry credentials: malformed JSON, a wrong CSRF token, a bad bearer.
      await post("/auth/login", `{"email":"${email}","password":"${STRONG_PASSWORD}"`);
      await post("/auth/refresh", "", { "x-csrf-token": `${login.csrf_token}x` });
      await fetch(`${url}/auth/me`, { headers: { authorization: `Bearer ${login.access_token}x` } });
      const native = (await (
        await post(
          "/auth/login",
          JSON.stringify({ email, password: STRONG_PASSWORD, token_delivery: "body" }),
        )
      ).json()) as Record<string, string>;
      secrets.push(native.refresh_token ?? "");
      const form = await fetch(`${url}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: native.refresh_token ?? "" }),
      });
      expect(form.status).toBe(200);
    } finally {
      await app.close();
      await store.close();
    }
    expect(lines.length).toBeGreaterThanOrEqual(8); // one per request at least
    for (const line of lines) recordWritten("log", line);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      recordSecret(secret);
      for (const line of lines) expect(line.includes(secret), line).toBe(false);
    }
  });
});
