import type { TabChannel } from "./tab-channel.js";

/** Runs `fn` while no other tab of this origin runs a function under the same lock. */
export type Exclusive = <T>(fn: () => Promise<T>) => Promise<T>;

/** How long a fallback claim waits for objections from other tabs before it counts as won. */
const CLAIM_SETTLE_MS = 25;
/** A fallback holder that went silent (a closed tab) is presumed gone after this long. */
const HOLDER_TIMEOUT_MS = 10_000;

/** @internal */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The cross-tab refresh lock: Web Locks where the platform has them (the browser releases a
 * lock when its tab dies), else a claim protocol over the tabs' BroadcastChannel.
 *
 * @internal
 */
export function createRefreshLock(name: string, channel: TabChannel): Exclusive {
  const locks = typeof navigator === "undefined" ? undefined : navigator.locks;
  if (locks !== undefined) return (fn) => locks.request(name, fn);
  return channelLock(channel);
}

/**
 * Fallback mutual exclusion without shared memory. A tab posts `want` with a random id and
 * waits {@link CLAIM_SETTLE_MS}: it loses if the holder answers `held` or a rival's `want`
 * carries a smaller id, and then waits for any `free` to try again. Messages of one channel arrive in the order they
 * were sent, so a tab woken by `free` has already received the holder's refreshed session.
 */
function channelLock(channel: TabChannel): Exclusive {
  let claim: { id: string; holding: boolean; lost: boolean } | undefined;
  let freed = false;
  let wake: (() => void) | undefined;

  channel.subscribe((message) => {
    if (message.type !== "lock") return;
    if (message.op === "want") {
      if (claim === undefined) return;
      if (claim.holding) channel.post({ type: "lock", op: "held", id: claim.id });
      // A settling claim with a smaller id repeats itself so that the rival yields even if it
      // missed the first `want` (it was posted before the rival started listening for rivals).
      else if (message.id > claim.id) channel.post({ type: "lock", op: "want", id: claim.id });
      else claim.lost = true;
    } else if (message.op === "held") {
      if (claim !== undefined && !claim.holding) claim.lost = true;
    } else {
      freed = true;
      wake?.();
    }
  });

  async function acquire(): Promise<string> {
    for (;;) {
      const current = { id: randomId(), holding: false, lost: false };
      claim = current;
      freed = false;
      channel.post({ type: "lock", op: "want", id: current.id });
      await sleep(CLAIM_SETTLE_MS);
      if (!current.lost) {
        current.holding = true;
        return current.id;
      }
      claim = undefined;
      if (!freed) await waitForFree();
    }
  }

  function waitForFree(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, HOLDER_TIMEOUT_MS);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  }

  // One claim per tab at a time: callers inside this tab queue here first.
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = async (): Promise<T> => {
      const id = await acquire();
      try {
        return await fn();
      } finally {
        claim = undefined;
        channel.post({ type: "lock", op: "free", id });
      }
    };
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  };
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
