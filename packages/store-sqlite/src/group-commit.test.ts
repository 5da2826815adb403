import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Connection, Database } from "./driver.js";
import { groupCommit } from "./group-commit.js";
import { createHandle, type SqliteHandle } from "./handle.js";

// A real SQLite database in memory; the step writes rows the way a rotation does.
describe("group commit", () => {
  let h: SqliteHandle;
  beforeEach(() => {
    h = createHandle(new Database(":memory:"));
    h.db.exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL); CREATE TABLE log (k TEXT)");
  });
  afterEach(() => h.db.close());

  /** Inserts `k`; a second insert of the same key fails on the primary key, after writing a log row. */
  const insert = (k: string) => {
    h.sql("INSERT INTO log (k) VALUES (?)").run(k);
    h.sql("INSERT INTO t (k, v) VALUES (?, 1)").run(k);
    return h.db.inTransaction;
  };
  const rows = () => (h.sql("SELECT k FROM t ORDER BY k").pluck().all() as string[]).join(",");
  const logged = () => (h.sql("SELECT k FROM log ORDER BY k").pluck().all() as string[]).join(",");

  it("commits the calls of one turn together and resolves each after the commit", async () => {
    const write = groupCommit(h, insert);
    const seen: string[] = [];
    const calls = ["a", "b", "c"].map((k) =>
      write(k).then((inTx) => {
        seen.push(`${k}:${inTx}:${rows()}`);
      }),
    );
    // Nothing is written until the turn ends.
    expect(rows()).toBe("");
    await Promise.all(calls);
    expect(seen).toEqual(["a:true:a,b,c", "b:true:a,b,c", "c:true:a,b,c"]);
    expect(h.db.inTransaction).toBe(false);
  });

  it("lets a later call see an earlier one, and rejects only the call that failed, leaving nothing of it", async () => {
    const write = groupCommit(h, insert);
    const outcomes = await Promise.allSettled([write("a"), write("a"), write("b")]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(Database.SqliteError);
    expect(rows()).toBe("a,b");
    // The failed call's first statement was rolled back with it.
    expect(logged()).toBe("a,b");
  });

  it("rejects every call and writes nothing when the database refuses the transaction", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-group-commit-"));
    try {
      const path = join(dir, "t.db");
      const file = createHandle(new Database(path, { timeout: 0 }));
      file.db.pragma("journal_mode = WAL");
      file.db.exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
      let transactions = 0;
      const counted: SqliteHandle = {
        ...file,
        immediate: (fn) => {
          const run = file.immediate(fn);
          return (...args) => {
            transactions++;
            return run(...args);
          };
        },
      };
      const write = groupCommit(counted, (k: string) => file.sql("INSERT INTO t (k) VALUES (?)").run(k));
      // Another connection holds the write lock: BEGIN IMMEDIATE fails for the group and each retry.
      const other = new Database(path);
      other.exec("BEGIN IMMEDIATE");
      const outcomes = await Promise.allSettled([write("a"), write("b")]);
      other.exec("ROLLBACK");
      other.close();
      expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
      expect((outcomes[0] as PromiseRejectedResult).reason).toMatchObject({ code: "SQLITE_BUSY" });
      // One attempt for the group: retrying each call alone would wait out the busy timeout per call.
      expect(transactions).toBe(1);
      expect(file.sql("SELECT count(*) FROM t").pluck().get()).toBe(0);
      file.db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("another process holds the write lock (tessera serve --workers)", () => {
    let dir: string;
    let file: SqliteHandle;
    let other: Connection;
    const open = (busyTimeoutMs: number) => {
      dir = mkdtempSync(join(tmpdir(), "tessera-group-commit-"));
      const path = join(dir, "t.db");
      file = createHandle(new Database(path, { timeout: busyTimeoutMs }));
      file.db.pragma("journal_mode = WAL");
      file.db.exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
      other = new Database(path);
      return groupCommit(file, (k: string) => file.sql("INSERT INTO t (k) VALUES (?)").run(k).changes);
    };
    afterEach(() => {
      other.close();
      file.db.close();
      rmSync(dir, { recursive: true, force: true });
    });
    /** Resolves after `n` turns of the event loop: only a loop that is not blocked gets there. */
    const turns = (n: number) =>
      new Promise<void>((resolve) => {
        const next = (left: number) => (left === 0 ? resolve() : setImmediate(() => next(left - 1)));
        next(n);
      });

    // Regression: the group waited in SQLite's busy handler, which sleeps the whole event loop
    // (and then failed every call once the busy timeout passed).
    it("waits for the lock without blocking the event loop, and commits once it is free", async () => {
      const write = open(3_000);
      other.exec("BEGIN IMMEDIATE");
      let settled = false;
      const calls = [write("a"), write("b")].map((p) => p.finally(() => (settled = true)));
      await turns(50);
      // A later call joins the waiting group.
      calls.push(write("c"));
      await turns(50);
      expect(settled).toBe(false);
      other.exec("COMMIT");
      expect(await Promise.all(calls)).toEqual([1, 1, 1]);
      expect(file.sql("SELECT group_concat(k) FROM t").pluck().get()).toBe("a,b,c");
    });

    it("still fails every call with SQLITE_BUSY once the busy timeout has passed", async () => {
      const write = open(200);
      other.exec("BEGIN IMMEDIATE");
      const outcomes = await Promise.allSettled([write("a"), write("b")]);
      other.exec("ROLLBACK");
      expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
      expect((outcomes[0] as PromiseRejectedResult).reason).toMatchObject({ code: "SQLITE_BUSY" });
      expect(file.sql("SELECT count(*) FROM t").pluck().get()).toBe(0);
    });
  });

  it("flush() commits what is queued at once, before the turn ends", () => {
    const write = groupCommit(h, insert);
    void write("a");
    void write("b");
    write.flush();
    expect(rows()).toBe("a,b");
  });

  it("splits a long queue into several transactions, none of them losing a call", async () => {
    const write = groupCommit(h, insert);
    const keys = Array.from({ length: 300 }, (_, i) => `k${String(i).padStart(3, "0")}`);
    await Promise.all(keys.map((k) => write(k)));
    expect(h.sql("SELECT count(*) FROM t").pluck().get()).toBe(300);
  });
});
