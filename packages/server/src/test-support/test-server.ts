import { Writable } from "node:stream";
import type { Clock, Store } from "@tessera/core";
import type { FastifyInstance } from "fastify";
import { buildServer } from "../build-server.js";
import { loadConfig } from "../config/load-config.js";
import type { ServerConfig } from "../config/server-config.js";
import { openStore } from "../open-store.js";
import type { CookieJar } from "./cookie-jar.js";
import { type CountingHasher, countingHasher } from "./counting-hasher.js";
import { recordSecret, recordWritten } from "./run-capture.js";

export const MASTER_KEY_HEX = "8f4b0d6c1e2a3f5b7c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d";
export const RESOURCE_ID = "orders-api";
export const RESOURCE_SECRET = "orders-api-secret-7Hq2xP9vLm4kT8wZ";
/** The `Authorization` header of the test resource server's credential. */
export const RESOURCE_BASIC = `Basic ${Buffer.from(`${RESOURCE_ID}:${RESOURCE_SECRET}`).toString("base64")}`;
export const APP_ORIGIN = "http://app.example.test";
export const ADMIN_ID = "backend";
export const ADMIN_SECRET = "admin-secret-Vq7Lp2Xz9Kd4Rt8Mw3Nb6Hj";
/** Turns the admin API on (it is off, 404, in `TEST_ENV`). */
export const ADMIN_ENV = { TESSERA_ADMIN_SECRETS: `${ADMIN_ID}:${ADMIN_SECRET}` };
/** The `Authorization` header of the test admin credential. */
export const ADMIN_AUTH = {
  authorization: `Basic ${Buffer.from(`${ADMIN_ID}:${ADMIN_SECRET}`).toString("base64")}`,
};

/** Environment of a test server: in-memory SQLite, rate limits off unless a test turns them on. */
export const TEST_ENV: Record<string, string> = {
  TESSERA_DATABASE_URL: "sqlite::memory:",
  TESSERA_MASTER_KEY: MASTER_KEY_HEX,
  TESSERA_RATE_LIMIT_IP: "off",
  TESSERA_RATE_LIMIT_LOGIN: "off",
  TESSERA_RATE_LIMIT_CREDENTIALS: "off",
  TESSERA_RESOURCE_SECRETS: `${RESOURCE_ID}:${RESOURCE_SECRET}`,
  TESSERA_ALLOWED_ORIGINS: APP_ORIGIN,
  TESSERA_LOG_LEVEL: "info",
  // Tests that send mail turn it on, with a test SMTP server (test-support/smtp-sink.ts).
  TESSERA_EMAIL_VERIFICATION: "off",
};

/** Every log line written by every test server in this worker (checked for leaked secrets). */
export const capturedLogLines: string[] = [];

/** Every token, CSRF token and password that crossed the wire in this worker. */
export const secretsSeen = new Set<string>();
const seeSecret = (secret: string) => {
  secretsSeen.add(secret);
  recordSecret(secret);
};

const SECRET_KEYS = [
  "access_token",
  "refresh_token",
  "csrf_token",
  "password",
  "current_password",
  "new_password",
  "token",
  "ticket",
];

function collectSecrets(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  for (const [key, inner] of Object.entries(value)) {
    if (SECRET_KEYS.includes(key) && typeof inner === "string" && inner.length >= 8) seeSecret(inner);
    else collectSecrets(inner);
  }
}

/**
 * The secrets seen so far that appear in the captured log or in `extra` text (e.g. audit rows).
 *
 * @example
 * expect(leakedSecrets(JSON.stringify(await store.listAudit({})))).toEqual([]);
 */
export function leakedSecrets(extra = ""): string[] {
  const haystack = `${capturedLogLines.join("\n")}\n${extra}`;
  return [...secretsSeen].filter((secret) => haystack.includes(secret));
}

export interface TestServer {
  app: FastifyInstance;
  config: ServerConfig;
  store: Store;
  hasher: CountingHasher;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Fetch against the server; JSON bodies parsed. A jar, when given, sends and stores cookies. */
  call(method: string, path: string, init?: CallInit): Promise<CallResult>;
  close(): Promise<void>;
}

export interface CallInit {
  json?: unknown;
  form?: Record<string, string>;
  body?: string;
  headers?: Record<string, string>;
  jar?: CookieJar;
  bearer?: string;
}

export interface CallResult {
  status: number;
  headers: Headers;
  setCookies: string[];
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  body: any;
}

/**
 * Starts a real listening server on 127.0.0.1:0 over a migrated in-memory SQLite store, with a
 * counting cheap argon2id hasher and its log captured.
 *
 * @example
 * const server = await startTestServer({ TESSERA_REFRESH_GRACE: "0s" });
 * const res = await server.call("POST", "/auth/register", { json: { email, password } });
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: {
    clock?: Clock;
    listen?: boolean;
    wrapStore?: (store: Store) => Store;
    mailRetryDelaysMs?: readonly number[];
  } = {},
): Promise<TestServer> {
  const config = loadConfig({ ...TEST_ENV, ...env });
  const opened = openStore(config.database);
  const store = options.wrapStore ? options.wrapStore(opened) : opened;
  await store.migrate();
  const hasher = countingHasher();
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line === "") continue;
        capturedLogLines.push(line);
        recordWritten("log", line);
      }
      callback();
    },
  });
  const app = await buildServer({
    config,
    store,
    passwordHasher: hasher,
    logger: { level: "info", stream },
    processMetrics: false,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.mailRetryDelaysMs ? { mailRetryDelaysMs: options.mailRetryDelaysMs } : {}),
  });
  let url = "";
  if (options.listen !== false) {
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    if (typeof address !== "object" || address === null) throw new Error("no address");
    url = `http://127.0.0.1:${address.port}`;
  } else {
    await app.ready();
  }

  const call = async (method: string, path: string, init: CallInit = {}): Promise<CallResult> => {
    const target = new URL(path, url);
    const headers: Record<string, string> = { ...init.headers };
    let body: string | undefined = init.body;
    collectSecrets(init.json);
    collectSecrets(init.form);
    if (init.bearer !== undefined && init.bearer.length >= 8) seeSecret(init.bearer);
    if (init.json !== undefined) {
      headers["content-type"] ??= "application/json";
      body = JSON.stringify(init.json);
    }
    if (init.form !== undefined) {
      headers["content-type"] ??= "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    }
    if (init.bearer !== undefined) headers.authorization = `Bearer ${init.bearer}`;
    const cookie = init.jar?.header(target);
    if (cookie) headers.cookie = cookie;
    const res = await fetch(target, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      redirect: "manual",
    });
    const setCookies = res.headers.getSetCookie();
    init.jar?.capture(target, setCookies);
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    collectSecrets(parsed);
    for (const line of setCookies) {
      const value = line.split(";")[0]?.split("=").slice(1).join("=") ?? "";
      if (value.length >= 8) seeSecret(value);
    }
    return { status: res.status, headers: res.headers, setCookies, text, body: parsed };
  };

  return {
    app,
    config,
    store,
    hasher,
    url,
    call,
    close: async () => {
      await app.close();
      // Every audit row goes into the run-wide leak scan (see run-capture.ts).
      const rows = await store.listAudit({ limit: 1_000_000 });
      for (const row of rows) recordWritten("audit", JSON.stringify(row));
      await store.close();
    },
  };
}

let counter = 0;
/** A fresh e-mail address per call. */
export const uniqueEmail = (label = "user") => `${label}-${process.pid}-${++counter}@example.test`;

export const STRONG_PASSWORD = "correct horse battery staple 42";
