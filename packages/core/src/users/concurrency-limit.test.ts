import { describe, expect, it } from "vitest";
import { concurrencyLimit } from "./concurrency-limit.js";
import { createArgon2Hasher } from "./passwords.js";

/** A task that runs until `finish()` is called, recording when it starts. */
function gate(log: string[], name: string) {
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    task: async () => {
      log.push(`start ${name}`);
      await done;
      return name;
    },
    finish: () => finish(),
  };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("concurrencyLimit", () => {
  it("runs at most max at once and starts the rest in arrival order", async () => {
    const limit = concurrencyLimit(2);
    const log: string[] = [];
    const gates = ["a", "b", "c", "d"].map((name) => gate(log, name));
    const results = gates.map((g) => limit(g.task));
    await turn();
    expect(log).toEqual(["start a", "start b"]);
    gates[1]?.finish();
    await turn();
    expect(log).toEqual(["start a", "start b", "start c"]);
    gates[0]?.finish();
    gates[2]?.finish();
    await turn();
    expect(log).toEqual(["start a", "start b", "start c", "start d"]);
    gates[3]?.finish();
    expect(await Promise.all(results)).toEqual(["a", "b", "c", "d"]);
  });

  it("frees the slot of a task that fails", async () => {
    const limit = concurrencyLimit(1);
    await expect(limit(async () => Promise.reject(new Error("boom")))).rejects.toThrow();
    expect(await limit(async () => "next")).toBe("next");
  });

  it("refuses a bound below one", () => {
    expect(() => concurrencyLimit(0)).toThrow(TypeError);
    expect(() => createArgon2Hasher({ maxConcurrent: 1.5 })).toThrow(TypeError);
  });
});

describe("createArgon2Hasher with a bound", () => {
  it("hashes and verifies through its queue", async () => {
    const hasher = createArgon2Hasher({ memoryCost: 8, timeCost: 1, maxConcurrent: 1 });
    const hashes = await Promise.all(["one", "two", "three"].map((p) => hasher.hash(`password ${p}`)));
    const checks = await Promise.all(
      hashes.map((h, i) => hasher.verify(h, `password ${["one", "two", "three"][i]}`)),
    );
    expect(checks).toEqual([true, true, true]);
    expect(await hasher.verify(hashes[0] as string, "password two")).toBe(false);
  });
});
