import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createArgon2Pool } from "./argon2-pool.js";
import { createArgon2Hasher } from "./passwords.js";

const CHEAP = { algorithm: 2, memoryCost: 8, timeCost: 1, parallelism: 1 };

/** This process's threads (Linux) by id, with their nice value (field 19 of /proc/self/task/<tid>/stat). */
function threadNiceValues(): Map<string, number> {
  const threads = new Map<string, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      // Fields after the parenthesised command name; nice is the 19th field overall.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      threads.set(tid, Number(fields[16]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return threads;
}

/**
 * Ids of the low-priority (nice 10) threads that are new since `before`. Threads of pools from
 * earlier tests may end at any moment, so the tests follow thread ids rather than counts.
 */
function newLowPriorityThreads(before: Map<string, number>): string[] {
  return [...threadNiceValues()].filter(([tid, nice]) => nice === 10 && !before.has(tid)).map(([tid]) => tid);
}

describe("argon2 pool", () => {
  it("verifies bcrypt hashes on its threads (bcryptjs loaded there), counted by kind", async () => {
    const pool = createArgon2Pool(1);
    const hash = "$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq"; // PHP's documentation
    expect(await pool.verifyBcrypt(hash, "rasmuslerdorf")).toBe(true);
    expect(await pool.verifyBcrypt(hash, "rasmuslerdorf!")).toBe(false);
    expect(pool.jobs()).toEqual({ hash: 0, verify: 0, verifyBcrypt: 2 });
    expect(pool.threads()).toBe(1);
  });

  it("computes every call, never on more threads than its size", async () => {
    const pool = createArgon2Pool(2);
    const passwords = ["one", "two", "three", "four", "five"].map((p) => `password ${p}`);
    const hashes = await Promise.all(passwords.map((p) => pool.hash(p, CHEAP)));
    expect(pool.threads()).toBe(2);
    for (const h of hashes) expect(h).toMatch(/^\$argon2id\$v=19\$m=8,t=1,p=1\$/);
    expect(await Promise.all(hashes.map((h, i) => pool.verify(h, passwords[i] as string)))).toEqual(
      passwords.map(() => true),
    );
    expect(await pool.verify(hashes[0] as string, "password two")).toBe(false);
  });

  it("rejects a call whose input argon2 refuses, and keeps working", async () => {
    const pool = createArgon2Pool(1);
    await expect(pool.verify("not a phc string", "x")).rejects.toThrow();
    expect(await pool.verify(await pool.hash("after", CHEAP), "after")).toBe(true);
  });

  it.runIf(process.platform === "linux")(
    "runs its threads at a lower priority than the event loop",
    async () => {
      const before = threadNiceValues();
      const pool = createArgon2Pool(1);
      await pool.hash("x", CHEAP);
      expect(newLowPriorityThreads(before)).toHaveLength(1);
      // The main thread (its id is the process id) keeps its priority.
      expect(threadNiceValues().get(String(process.pid))).toBe(0);
    },
  );

  it("ends a thread left idle for idleMs, and starts a new one for the next call", async () => {
    const pool = createArgon2Pool(1, { idleMs: 50 });
    const phc = await pool.hash("idle", CHEAP);
    expect(pool.threads()).toBe(1);
    const deadline = Date.now() + 5_000;
    while (pool.threads() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(pool.threads()).toBe(0);
    expect(await pool.verify(phc, "idle")).toBe(true);
    expect(pool.threads()).toBe(1);
  });

  it.runIf(process.platform === "linux")("really ends the idle thread (fewer OS threads)", async () => {
    const before = threadNiceValues();
    const pool = createArgon2Pool(1, { idleMs: 50 });
    await pool.hash("x", CHEAP);
    const started = newLowPriorityThreads(before);
    expect(started).toHaveLength(1);
    const alive = () => threadNiceValues().has(started[0] as string);
    const deadline = Date.now() + 5_000;
    while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(alive()).toBe(false);
  });

  it("refuses a size below one", () => {
    expect(() => createArgon2Pool(0)).toThrow(TypeError);
    expect(() => createArgon2Hasher({ maxConcurrent: 1.5 })).toThrow(TypeError);
  });
});

describe("createArgon2Hasher", () => {
  it("hashes and verifies through its pool; a malformed stored hash verifies nothing", async () => {
    const hasher = createArgon2Hasher({ memoryCost: 8, timeCost: 1, maxConcurrent: 1 });
    const hashes = await Promise.all(["one", "two", "three"].map((p) => hasher.hash(`password ${p}`)));
    const checks = await Promise.all(
      hashes.map((h, i) => hasher.verify(h, `password ${["one", "two", "three"][i]}`)),
    );
    expect(checks).toEqual([true, true, true]);
    expect(await hasher.verify(hashes[0] as string, "password two")).toBe(false);
    expect(await hasher.verify("$argon2id$broken", "password one")).toBe(false);
  });
});
