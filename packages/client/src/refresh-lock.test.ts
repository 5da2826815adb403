import { afterEach, expect, it, vi } from "vitest";
import { createRefreshLock, type Exclusive, sleep } from "./refresh-lock.js";
import { openTabChannel, type TabChannel } from "./tab-channel.js";

const channels: TabChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) c.close();
  vi.unstubAllGlobals();
});

/** Three "tabs" each run three critical sections at once; returns the most that overlapped. */
async function maxOverlap(makeLock: (tab: number) => Exclusive): Promise<{ overlap: number; runs: number }> {
  let active = 0;
  let overlap = 0;
  let runs = 0;
  const section = async () => {
    active++;
    overlap = Math.max(overlap, active);
    await sleep(5);
    active--;
    runs++;
  };
  const locks = [0, 1, 2].map(makeLock);
  await Promise.all(locks.flatMap((lock) => [lock(section), lock(section), lock(section)]));
  return { overlap, runs };
}

it("the BroadcastChannel fallback lets one tab at a time hold the lock", async () => {
  vi.stubGlobal("navigator", {});
  // Claim ids are random, so each round races the tabs in another order.
  for (let round = 0; round < 3; round++) {
    const name = `lock-test-${process.pid}-${round}`;
    const result = await maxOverlap(() => {
      const channel = openTabChannel(name);
      channels.push(channel);
      return createRefreshLock(`${name}:refresh`, channel);
    });
    expect(result).toEqual({ overlap: 1, runs: 9 });
  }
});

it("the overlap probe detects sections that are not excluded (control)", async () => {
  const result = await maxOverlap(() => (fn) => fn());
  expect(result.overlap).toBeGreaterThan(1);
});

it("a failing section releases the fallback lock for the next one", async () => {
  vi.stubGlobal("navigator", {});
  const channel = openTabChannel(`lock-fail-${process.pid}`);
  channels.push(channel);
  const lock = createRefreshLock("x", channel);
  await expect(lock(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  expect(await lock(async () => "next")).toBe("next");
});
