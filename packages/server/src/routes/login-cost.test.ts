import { createArgon2Hasher } from "@tessera/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../build-server.js";
import { loadConfig } from "../config/load-config.js";
import { openStore } from "../open-store.js";
import { countingHasher } from "../test-support/counting-hasher.js";
import {
  STRONG_PASSWORD,
  startTestServer,
  TEST_ENV,
  type TestServer,
  uniqueEmail,
} from "../test-support/test-server.js";

describe("login for an unknown e-mail takes the same path as a wrong password", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("costs exactly one password verification either way (counting hasher)", async () => {
    const email = uniqueEmail();
    await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });

    server.hasher.reset();
    const wrong = await server.call("POST", "/auth/login", { json: { email, password: "wrong password 1" } });
    expect(wrong.status).toBe(401);
    expect(server.hasher.calls).toEqual({ hash: 0, verify: 1 });

    server.hasher.reset();
    const unknown = await server.call("POST", "/auth/login", {
      json: { email: uniqueEmail("ghost"), password: "wrong password 1" },
    });
    expect(unknown.status).toBe(401);
    expect(server.hasher.calls).toEqual({ hash: 0, verify: 1 });
    expect(unknown.text).toBe(wrong.text);
  });
});

// The one test with production argon2id parameters: the dummy hash an unknown e-mail is checked
// against costs a full verification too (m=19456 KiB, t=2), not a cheap shortcut.
describe("with the production argon2id hasher", () => {
  it("verifies once for an unknown e-mail, with the same answer as a wrong password", async () => {
    const config = loadConfig(TEST_ENV);
    const store = openStore(config.database);
    await store.migrate();
    const hasher = countingHasher(createArgon2Hasher());
    const app = await buildServer({
      config,
      store,
      passwordHasher: hasher,
      logger: false,
      processMetrics: false,
    });
    try {
      const email = uniqueEmail();
      const reg = await app.inject({
        method: "POST",
        url: "/auth/register",
        payload: { email, password: STRONG_PASSWORD },
      });
      expect(reg.statusCode).toBe(201);
      const stored = await store.getUserByEmail(email);
      expect(stored?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

      hasher.reset();
      const wrong = await app.inject({
        method: "POST",
        url: "/auth/login",
        payload: { email, password: "wrong password" },
      });
      expect(hasher.calls.verify).toBe(1);
      hasher.reset();
      const unknown = await app.inject({
        method: "POST",
        url: "/auth/login",
        payload: { email: uniqueEmail("ghost"), password: "wrong password" },
      });
      expect(hasher.calls.verify).toBe(1);
      expect(unknown.statusCode).toBe(401);
      expect(unknown.body).toBe(wrong.body);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
