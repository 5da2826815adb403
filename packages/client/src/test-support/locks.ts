import { vi } from "vitest";

/**
 * Give the SDK Web Locks (the platform's own `navigator.locks` where Node has it, from Node 22.?/24;
 * else a minimal in-process FIFO with the same grant semantics), or take them away so the
 * BroadcastChannel fallback runs.
 */
export function useLocks(kind: "web-locks" | "channel-fallback"): void {
  if (kind === "channel-fallback") {
    vi.stubGlobal("navigator", {});
    return;
  }
  const platform = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (platform === undefined) vi.stubGlobal("navigator", { locks: fifoLocks() });
}

function fifoLocks(): Pick<LockManager, "request"> {
  const tails = new Map<string, Promise<unknown>>();
  const request = <T>(name: string, callback: (lock: Lock | null) => T | PromiseLike<T>): Promise<T> => {
    const previous = tails.get(name) ?? Promise.resolve();
    const run = previous.then(() => callback({ name, mode: "exclusive" }));
    tails.set(
      name,
      run.catch(() => undefined),
    );
    return run;
  };
  return { request } as Pick<LockManager, "request">;
}
