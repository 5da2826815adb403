import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTessera, isTesseraError, rewrapSigningKeys, type Store } from "@tessera/core";
import { beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../open-store.js";
import { buildCli, runCli, ServeExited, startServe } from "../test-support/cli-process.js";
import { recordSecret } from "../test-support/run-capture.js";

// `tessera keys rewrap` end to end: real `tessera serve` processes on one SQLite file.

const work = mkdtempSync(join(tmpdir(), "tessera-rewrap-"));
const KEY_A = "a1".repeat(32);
const KEY_B = Buffer.alloc(32, 0xb2).toString("base64url");
const PASSWORD = "rewrap password for testing 1";
for (const secret of [KEY_A, KEY_B, PASSWORD]) recordSecret(secret);

function keyFile(name: string, key: string): string {
  const path = join(work, name);
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}
const fileA = keyFile("master-a", KEY_A);
const fileB = keyFile("master-b", KEY_B);
const env = {
  TESSERA_DATABASE_URL: `sqlite:${join(work, "tessera.db")}`,
  TESSERA_LOG_LEVEL: "warn",
};
const withKey = (file: string) => ({ ...env, TESSERA_MASTER_KEY_FILE: file });
const json = { "content-type": "application/json" };

async function login(url: string) {
  const res = await fetch(`${url}/auth/login`, {
    method: "POST",
    headers: json,
    body: JSON.stringify({ email: "rewrap@example.test", password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { access_token: string; csrf_token: string };
  const cookie = res.headers.getSetCookie()[0]?.split(";")[0] ?? "";
  for (const secret of [body.access_token, body.csrf_token, cookie.split("=")[1] ?? ""]) recordSecret(secret);
  return { access: body.access_token, csrf: body.csrf_token, cookie };
}

const me = (url: string, access: string) =>
  fetch(`${url}/auth/me`, { headers: { authorization: `Bearer ${access}` } });
const kids = async (url: string) =>
  ((await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> }).keys
    .map((k) => k.kid)
    .sort();

beforeAll(async () => {
  await buildCli();
});

describe("tessera keys rewrap, end to end", () => {
  it("tokens from before keep working, new logins work, the old key no longer starts a server", async () => {
    // 1. A server with key A; a user logs in (T1 + refresh cookie).
    const first = await startServe({ env: withKey(fileA), cwd: work });
    const register = await fetch(`${first.url}/auth/register`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ email: "rewrap@example.test", password: PASSWORD }),
    });
    expect(register.status).toBe(201);
    const t1 = await login(first.url);
    const kidsBefore = await kids(first.url);
    expect(await first.stop()).toBe(0);

    // 2. Rewrap A → B; the new key comes from the environment's _FILE form, never from argv.
    const rewrap = await runCli(["keys", "rewrap"], {
      env: { ...withKey(fileA), TESSERA_NEW_MASTER_KEY_FILE: fileB },
      cwd: work,
    });
    expect(rewrap.stderr).toBe("");
    expect(rewrap.code).toBe(0);
    expect(rewrap.stdout).toMatch(/^re-sealed [1-9]\d* signing keys/);

    // 3. A server with key B: T1 verifies, the old refresh cookie refreshes, new logins work.
    const second = await startServe({ env: withKey(fileB), cwd: work });
    try {
      expect(await kids(second.url)).toEqual(kidsBefore);
      expect((await me(second.url, t1.access)).status).toBe(200);
      // CSRF tokens are an HMAC under a key derived from the master key, so the CSRF token a page
      // held from before the rewrap is refused (403, nothing consumed); the page recovers it from
      // the cookie with GET /auth/csrf, as after a reload. (Known limitation, see README.)
      const stale = await fetch(`${second.url}/auth/refresh`, {
        method: "POST",
        headers: { cookie: t1.cookie, "x-csrf-token": t1.csrf },
      });
      expect(stale.status).toBe(403);
      expect(((await stale.json()) as { error: string }).error).toBe("csrf_failed");
      const csrf = await fetch(`${second.url}/auth/csrf`, { headers: { cookie: t1.cookie } });
      expect(csrf.status).toBe(200);
      const { csrf_token: newCsrf } = (await csrf.json()) as { csrf_token: string };
      recordSecret(newCsrf);
      const refreshed = await fetch(`${second.url}/auth/refresh`, {
        method: "POST",
        headers: { cookie: t1.cookie, "x-csrf-token": newCsrf },
      });
      expect(refreshed.status).toBe(200);
      const { access_token: t2 } = (await refreshed.json()) as { access_token: string };
      recordSecret(t2);
      expect((await me(second.url, t2)).status).toBe(200);
      const fresh = await login(second.url);
      expect((await me(second.url, fresh.access)).status).toBe(200);
    } finally {
      expect(await second.stop()).toBe(0);
    }

    // 4. Key A no longer opens the store: start-up refuses with one clear line, exit status 1.
    const refused = await startServe({ env: withKey(fileA), cwd: work }).then(
      async (server) => {
        await server.stop();
        throw new Error("a server started with the old master key");
      },
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ServeExited);
    const { run } = refused as ServeExited;
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.split("\n").filter((line) => line !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^tessera: master_key_mismatch: /);
    expect(run.stderr).not.toContain(KEY_A);

    // The rewrap is in the audit trail.
    const audit = await runCli(["audit", "--json", "--type", "key.rewrapped"], {
      env: withKey(fileB),
      cwd: work,
    });
    const events = audit.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; data: { count: number } });
    expect(events).toHaveLength(1);
    expect(events[0]?.data.count).toBeGreaterThan(0);
  });

  it("refuses a missing new key, one given both ways, or the current key again", async () => {
    const none = await runCli(["keys", "rewrap"], { env: withKey(fileB), cwd: work });
    expect(none.code).toBe(78);
    expect(none.stderr).toMatch(/^tessera: invalid configuration: TESSERA_NEW_MASTER_KEY: [^\n]*\n$/);
    const both = await runCli(["keys", "rewrap"], {
      env: { ...withKey(fileB), TESSERA_NEW_MASTER_KEY: KEY_A, TESSERA_NEW_MASTER_KEY_FILE: fileA },
      cwd: work,
    });
    expect(both.code).toBe(78);
    expect(both.stderr).toMatch(/^tessera: invalid configuration: TESSERA_NEW_MASTER_KEY: [^\n]*\n$/);
    expect(both.stderr).not.toContain(KEY_A);
    const same = await runCli(["keys", "rewrap"], {
      env: { ...withKey(fileB), TESSERA_NEW_MASTER_KEY: KEY_B },
      cwd: work,
    });
    expect(same.code).toBe(1);
    expect(same.stderr).toBe("tessera: the new master key is the current one\n");
  });
});

describe("rewrap is all or nothing", () => {
  async function storeWithKeys(): Promise<Store> {
    const store = openStore({ kind: "sqlite", path: join(work, `atomic-${Math.random()}.db`) });
    await store.migrate();
    const tessera = await createTessera({
      store,
      masterKey: Buffer.from(KEY_A, "hex"),
      issuer: "http://localhost",
      audience: "tessera",
    });
    await tessera.rotateKeys();
    await tessera.rotateKeys();
    return store;
  }

  it("re-seals every key in one applyKeyChanges call", async () => {
    const store = await storeWithKeys();
    const calls: number[] = [];
    const counting: Store = Object.create(store, {
      applyKeyChanges: {
        value: (changes: Parameters<Store["applyKeyChanges"]>[0]) => {
          calls.push(changes.updates?.length ?? 0);
          return store.applyKeyChanges(changes);
        },
      },
    });
    const total = (await store.listSigningKeys()).length;
    expect(total).toBeGreaterThanOrEqual(3);
    const count = await rewrapSigningKeys({
      store: counting,
      oldMasterKey: Buffer.from(KEY_A, "hex"),
      newMasterKey: Buffer.from(KEY_B, "base64url"),
    });
    expect(count).toBe(total);
    expect(calls).toEqual([total]);
    await store.close();
  });

  it("a key that opens with neither master key changes nothing", async () => {
    const store = await storeWithKeys();
    const [victim] = await store.listSigningKeys();
    await store.applyKeyChanges({
      updates: [{ kid: victim?.kid ?? "", privateSealed: "v1.garbage.garbage" }],
    });
    const before = await store.listSigningKeys();
    const error = await rewrapSigningKeys({
      store,
      oldMasterKey: Buffer.from(KEY_A, "hex"),
      newMasterKey: Buffer.from(KEY_B, "base64url"),
    }).catch((e: unknown) => e);
    expect(isTesseraError(error, "master_key_mismatch")).toBe(true);
    expect(await store.listSigningKeys()).toEqual(before);
    await store.close();
  });
});
