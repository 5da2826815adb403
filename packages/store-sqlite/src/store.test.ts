import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Store } from "@tessera/core";
import { makeSession, makeToken, makeUser } from "@tessera/core/testing";
import { afterAll, describe, expect, it } from "vitest";
import { type Connection, Database } from "./driver.js";
import { createSqliteStore } from "./index.js";
import { openDatabase } from "./open.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-sqlite-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `case-${++n}`, "tessera.db");

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => "resolved",
    (error: unknown) => (error as { code?: unknown }).code,
  );
}

const user = (id: string) => ({
  id,
  email: `${id}@example.test`,
  passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
  createdAt: 1,
  tokenEpoch: 0,
  credentialVersion: 0,
  roles: [],
  disabledAt: null,
  emailVerified: false,
});

async function migrated(path = freshPath()): Promise<Store> {
  const store = createSqliteStore({ path });
  await store.migrate();
  return store;
}

describe("SQLite connection settings", () => {
  it("opens in WAL mode with synchronous=NORMAL, foreign keys and a busy timeout", () => {
    const path = freshPath();
    const db = openDatabase(path, 1234);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("synchronous", { simple: true })).toBe(1);
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(db.pragma("busy_timeout", { simple: true })).toBe(1234);
    db.close();
  });

  it("leaves the database file in WAL mode for every later connection", async () => {
    const path = freshPath();
    const store = await migrated(path);
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();
    await store.close();
  });

  it("creates the database directory and files owner-only, never world-writable", async () => {
    const path = join(dir, "perm", "nested", "tessera.db");
    const store = await migrated(path);
    await store.createUser(user("perm"));
    for (const p of [join(dir, "perm"), join(dir, "perm", "nested")]) {
      const mode = statSync(p).mode & 0o777;
      expect(mode & 0o002, p).toBe(0);
      expect(mode & 0o077, p).toBe(0);
    }
    for (const p of [path, `${path}-wal`]) expect(statSync(p).mode & 0o077, p).toBe(0);
    await store.close();
  });
});

describe("SQLite store errors", () => {
  it("rejects invalid options when created", () => {
    expect(() => createSqliteStore({ path: "" })).toThrow(expect.objectContaining({ code: "invalid_input" }));
    expect(() => createSqliteStore({ path: ":memory:", busyTimeoutMs: -1 })).toThrow(
      expect.objectContaining({ code: "invalid_input" }),
    );
  });

  it("answers store_unavailable while the path cannot be opened, and recovers once it can", async () => {
    const blocker = join(dir, "blocker");
    writeFileSync(blocker, "a file where a directory should be");
    const store = createSqliteStore({ path: join(blocker, "tessera.db") });
    expect(await codeOf(store.migrate())).toBe("store_unavailable");
    expect(await codeOf(store.ping())).toBe("store_unavailable");
    expect(await codeOf(store.getUserById("x"))).toBe("store_unavailable");

    rmSync(blocker);
    mkdirSync(blocker);
    await store.migrate();
    await store.ping();
    await store.close();
  });

  it("answers store_unavailable for a file that is not a database", async () => {
    const path = join(dir, "garbage.db");
    writeFileSync(path, "this is not an SQLite database ".repeat(200));
    const store = createSqliteStore({ path });
    expect(await codeOf(store.migrate())).toBe("store_unavailable");
    expect(await codeOf(store.ping())).toBe("store_unavailable");
    await store.close();
  });

  it("answers store_unavailable when another connection holds the write lock past the timeout", async () => {
    const path = freshPath();
    await (await migrated(path)).close();
    const store = createSqliteStore({ path, busyTimeoutMs: 20 });
    await store.createUser(user("before-lock"));
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE");
    try {
      expect(await codeOf(store.createUser(user("during-lock")))).toBe("store_unavailable");
      // WAL: readers are not blocked by the writer.
      expect(await store.getUserById("before-lock")).toMatchObject({ id: "before-lock" });
    } finally {
      other.exec("COMMIT");
      other.close();
    }
    await store.createUser(user("after-lock"));
    expect(await store.getUserById("after-lock")).toMatchObject({ id: "after-lock" });
    await store.close();
  });

  it("rolls back a key batch that updates an unknown kid, with not_found", async () => {
    const store = await migrated(":memory:");
    const key = {
      kid: "k1",
      alg: "EdDSA" as const,
      status: "next" as const,
      publicJwk: "{}",
      privateSealed: "sealed",
      createdAt: 1,
      activatedAt: null,
      retiredAt: null,
    };
    expect(
      await codeOf(
        store.applyKeyChanges({ inserts: [key], updates: [{ kid: "missing", status: "active" }] }),
      ),
    ).toBe("not_found");
    expect(await store.listSigningKeys()).toEqual([]);
    await store.close();
  });

  it("answers not_found when revoking the sessions of an unknown user, and writes nothing", async () => {
    const store = await migrated(":memory:");
    expect(await codeOf(store.revokeUserSessions({ userId: "nobody", now: 1, reason: "logout_all" }))).toBe(
      "not_found",
    );
    expect(await store.listRevocations(0, 10)).toEqual([]);
    await store.close();
  });

  it("treats a negative limit as zero, not as SQLite's 'no limit'", async () => {
    const store = await migrated(":memory:");
    await store.createUser(user("a"));
    expect(await store.listUsers({ limit: -1 })).toEqual([]);
    expect(await store.listAudit({ limit: -1 })).toEqual([]);
    expect(await store.listRevocations(0, -1)).toEqual([]);
    await store.close();
  });
});

describe("SQLite rotations", () => {
  it("commits a rotation asked for just before close(), and answers it", async () => {
    const path = freshPath();
    const store = await migrated(path);
    const owner = makeUser();
    const session = makeSession(owner.id);
    const first = makeToken(session.id);
    const successor = makeToken(session.id);
    await store.createUser(owner);
    await store.createSession(session, first, 0);
    const rotation = store.rotateRefreshToken({
      tokenId: first.id,
      now: 5,
      successor,
      successorSealed: "sealed",
      ip: null,
      userAgent: null,
    });
    await store.close();
    expect(await rotation).toEqual({ outcome: "rotated", user: owner });
    const reopened = createSqliteStore({ path });
    expect((await reopened.getRefreshToken(first.id))?.token.usedAt).toBe(5);
    expect((await reopened.getRefreshToken(successor.id))?.token.sessionId).toBe(session.id);
    await reopened.close();
  });
});

describe("SQLite checkpoints", () => {
  it("copies the WAL into the database file in the background, with no checkpoint by the writer", async () => {
    const path = freshPath();
    const store = await migrated(path);
    // The writer checkpoints by itself only past 10,000 WAL pages; these writes are far fewer.
    for (let i = 0; i < 50; i++) await store.createUser(user(`ckpt${i}`));
    // Before the first checkpoint the file does not even hold the schema yet.
    const users = (db: Connection) => {
      try {
        return db.prepare("SELECT count(*) FROM users").pluck().get();
      } catch {
        return 0;
      }
    };
    const deadline = Date.now() + 5_000;
    // Only what a checkpoint copied is in the main file: read it with the WAL ignored.
    for (;;) {
      const copy = join(dirname(path), "copy.db");
      copyFileSync(path, copy);
      const snapshot = new Database(copy, { readonly: true });
      const seen = users(snapshot);
      snapshot.close();
      rmSync(copy);
      if (seen === 50) break;
      if (Date.now() > deadline) throw new Error(`only ${String(seen)} users in the database file`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await store.close();
  });

  // The checkpointer thread holds a connection of its own: the file is open twice in this process.
  it.skipIf(!existsSync("/proc/self/fd"))(
    "`checkpointer: false` starts none (another process on the file runs it)",
    async () => {
      const opened = (path: string) =>
        readdirSync("/proc/self/fd").filter((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`) === realpathSync(path);
          } catch {
            return false;
          }
        }).length;
      const [without, withIt] = [freshPath(), freshPath()];
      // `without` first: a checkpointer of its own would be open before the one of `withIt`.
      const stores = [
        createSqliteStore({ path: without, checkpointer: false }),
        createSqliteStore({ path: withIt }),
      ];
      for (const store of stores) await store.migrate();
      // The thread opens its connection once it has started.
      for (let i = 0; i < 200 && opened(withIt) < 2; i++)
        await new Promise((resolve) => setTimeout(resolve, 25));
      expect([opened(without), opened(withIt)]).toEqual([1, 2]);
      for (const store of stores) await store.close();
    },
  );
});
