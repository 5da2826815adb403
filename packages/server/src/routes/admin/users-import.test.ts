import { createTessera, type Store, type Tessera } from "@tessera/core";
import { LEGACY_HASH_KINDS, legacyHashOf } from "@tessera/core/testing";
import { createPostgresStore } from "@tessera/store-postgres";
import { postgresTestsEnabled, startTestPostgres, type TestPostgres } from "@tessera/store-postgres/testing";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../../build-server.js";
import { loadConfig } from "../../config/load-config.js";
import { resolveMasterKey } from "../../config/resolve-master-key.js";
import { tesseraOptions } from "../../config/tessera-options.js";
import { installErrorHandling } from "../../http/error-handler.js";
import { openStore } from "../../open-store.js";
import { countingHasher } from "../../test-support/counting-hasher.js";
import { APP_ORIGIN, TEST_ENV } from "../../test-support/test-server.js";
import { usersImportRoute } from "./users-import.js";

// Acceptance of user import (issue 17): 1,000 users with every accepted hash spelling, made by
// the real libraries, imported over HTTP through the route on a real Fastify instance; each logs
// in once (a sample over HTTP, the rest through the core on the same store) and is then stored
// as argon2id; a wrong password is 401; bad entries are skipped with reasons. SQLite and PostgreSQL.

const USERS = 1_000;
const passwordOf = (i: number) => `imported password ${i}`;
const emailOf = (i: number) => `imported-${i}@example.test`;

interface Stack {
  store: Store;
  tessera: Tessera;
  /** The route under test, alone on a bare Fastify instance. */
  admin: FastifyInstance;
  /** The full auth server over the same token service, for logins. */
  auth: FastifyInstance;
  adminUrl: string;
  authUrl: string;
  close(): Promise<void>;
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (typeof address !== "object" || address === null) throw new Error("no address");
  return `http://127.0.0.1:${address.port}`;
}

async function startStack(databaseUrl: string | null): Promise<Stack> {
  const config = loadConfig(TEST_ENV);
  const store =
    databaseUrl === null
      ? openStore(config.database)
      : createPostgresStore({ connectionString: databaseUrl });
  await store.migrate();
  const tessera = await createTessera({
    ...tesseraOptions(config),
    store,
    masterKey: resolveMasterKey(config).key,
    passwordHasher: countingHasher(),
  });
  const admin = Fastify({ logger: false });
  installErrorHandling(admin, () => []);
  usersImportRoute(admin, { tessera });
  const auth = await buildServer({ config, store, tessera, logger: false, processMetrics: false });
  const [adminUrl, authUrl] = [await listen(admin), await listen(auth)];
  return {
    store,
    tessera,
    admin,
    auth,
    adminUrl,
    authUrl,
    close: async () => {
      await admin.close();
      await auth.close();
      await store.close();
    },
  };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

const httpLogin = (stack: Stack, email: string, password: string) =>
  post(`${stack.authUrl}/auth/login`, { email, password }, { origin: APP_ORIGIN });

/** Run `task` over `items`, `width` at a time. */
async function inBatches<T>(items: T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(task));
}

function describeImport(name: string, databaseUrl: () => Promise<string | null>): void {
  describe(`user import over HTTP (${name})`, () => {
    let stack: Stack;
    const users: Array<{ email: string; password_hash: string }> = [];

    beforeAll(async () => {
      stack = await startStack(await databaseUrl());
      for (let i = 0; i < USERS; i++) {
        const kind = LEGACY_HASH_KINDS[i % LEGACY_HASH_KINDS.length] ?? "bcrypt2b";
        users.push({ email: emailOf(i), password_hash: await legacyHashOf(kind, passwordOf(i)) });
      }
    }, 120_000);
    afterAll(async () => {
      await stack?.close();
    });

    it("imports 1,000 users with mixed hashes; each logs in once and is then stored as argon2id", async () => {
      const imported = await post(`${stack.adminUrl}/admin/users/import`, { users });
      expect(imported).toEqual({ status: 200, body: { imported: USERS, skipped: [] } });

      // A wrong password before and after the first login: 401, and the hash is untouched.
      const wrong = await httpLogin(stack, emailOf(0), `${passwordOf(0)}!`);
      expect(wrong).toEqual({
        status: 401,
        body: { error: "invalid_credentials", message: expect.any(String) },
      });
      expect((await stack.store.getUserByEmail(emailOf(0)))?.passwordHash).toBe(users[0]?.password_hash);

      // Three of every kind over HTTP, the rest through the core on the same store.
      const overHttp = new Set(Array.from({ length: 3 * LEGACY_HASH_KINDS.length }, (_, i) => i));
      await inBatches([...Array(USERS).keys()], 25, async (i) => {
        if (overHttp.has(i)) {
          const res = await httpLogin(stack, emailOf(i), passwordOf(i));
          expect([i, res.status, typeof res.body?.access_token]).toEqual([i, 200, "string"]);
        } else {
          const set = await stack.tessera.login({
            email: emailOf(i),
            password: passwordOf(i),
            context: { ip: "203.0.113.17", userAgent: null },
          });
          expect(typeof set.accessToken).toBe("string");
        }
      });

      const first = await stack.store.listUsers({ limit: 1000 });
      const rest = await stack.store.listUsers({ limit: 1000, afterId: first.at(-1)?.id ?? "" });
      const stored = [...first, ...rest].filter((u) => u.email.startsWith("imported-"));
      expect(stored).toHaveLength(USERS);
      expect(stored.filter((u) => !u.passwordHash.startsWith("$argon2id$v=19$m=8,t=1,p=1$"))).toEqual([]);

      const after = await httpLogin(stack, emailOf(1), `${passwordOf(1)}!`);
      expect(after.status).toBe(401);
      expect(after.body.error).toBe("invalid_credentials");
      expect((await httpLogin(stack, emailOf(1), passwordOf(1))).status).toBe(200);
    }, 180_000);

    it("skips malformed hashes, bad e-mails and taken addresses with reasons; 200 all the same", async () => {
      const res = await post(`${stack.adminUrl}/admin/users/import`, {
        users: [
          { email: "fresh@example.test", password_hash: await legacyHashOf("bcrypt2y", "fresh password 1") },
          { email: emailOf(5), password_hash: users[5]?.password_hash },
          { email: "broken@example.test", password_hash: "$2b$10$not-a-bcrypt-hash" },
          { email: "sha1@example.test", password_hash: "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=" },
          {
            email: "huge@example.test",
            password_hash: "$scrypt$ln=30,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
          },
          { email: "no at sign", password_hash: users[6]?.password_hash },
        ],
      });
      expect(res).toEqual({
        status: 200,
        body: {
          imported: 1,
          skipped: [
            { email: emailOf(5), reason: "email_taken" },
            { email: "broken@example.test", reason: "malformed_hash" },
            { email: "sha1@example.test", reason: "unsupported_hash" },
            { email: "huge@example.test", reason: "hash_cost_out_of_bounds" },
            { email: "no at sign", reason: "invalid_email" },
          ],
        },
      });
      expect((await httpLogin(stack, "fresh@example.test", "fresh password 1")).status).toBe(200);
    });

    it("refuses more than 1,000 users with 400 invalid_input, and a body that is no object", async () => {
      const many = Array.from({ length: USERS + 1 }, (_, i) => ({ email: `over-${i}@example.test` }));
      const res = await post(`${stack.adminUrl}/admin/users/import`, { users: many });
      expect(res).toEqual({ status: 400, body: { error: "invalid_input", message: expect.any(String) } });
      expect(await stack.store.getUserByEmail("over-0@example.test")).toBeNull();
      expect((await post(`${stack.adminUrl}/admin/users/import`, { users: "all" })).status).toBe(400);
      expect((await post(`${stack.adminUrl}/admin/users/import`, "[]")).body.error).toBe("invalid_request");
      expect((await post(`${stack.adminUrl}/admin/users/import`, "{")).status).toBe(400);
    });
  });
}

describeImport("SQLite", async () => null);

describe.skipIf(!postgresTestsEnabled())("on PostgreSQL", () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });
  describeImport("PostgreSQL", () => pg.createDatabase());
});
