import type { RevocationFeed } from "../api.js";
import { TesseraError } from "../errors.js";
import type { Runtime } from "../runtime.js";

/** Events per answer; a consumer that gets a full page simply polls again with the new cursor. */
const PAGE = 5000;
const CURSOR = /^(0|[1-9][0-9]{0,15})$/;

/**
 * The revocation feed for resource servers. `since` is the `cursor` of a previous answer (a
 * decimal string); without it, every retained event. `users` keeps only the latest event per
 * user: tokens of `sub` whose `epoch` is below `epoch` are revoked (`not_before`, the revocation
 * time in seconds rounded up, serves verifiers that only look at `iat`). `sessions` lists revoked
 * families with `revoked_at` in seconds (rounded up). A malformed `since` is `invalid_input`.
 *
 * @example
 * const { cursor, users, sessions } = await revocationFeed(rt, lastCursor);
 */
export async function revocationFeed(rt: Runtime, since: string | undefined): Promise<RevocationFeed> {
  let after = 0;
  if (since !== undefined) {
    if (typeof since !== "string" || !CURSOR.test(since) || !Number.isSafeInteger(Number(since))) {
      throw new TesseraError("invalid_input", "since must be a cursor from an earlier answer");
    }
    after = Number(since);
  }
  const events = await rt.store.listRevocations(after, PAGE);
  const users = new Map<string, { sub: string; not_before: number; epoch: number }>();
  const sessions: RevocationFeed["sessions"] = [];
  for (const event of events) {
    const seconds = Math.ceil(event.at / 1000);
    if (event.kind === "user") {
      users.delete(event.userId); // re-insert so the map keeps the latest event's position
      users.set(event.userId, { sub: event.userId, not_before: seconds, epoch: event.epoch ?? 0 });
    } else if (event.sessionId !== null) {
      sessions.push({ sid: event.sessionId, revoked_at: seconds });
    }
  }
  const last = events.at(-1);
  return { cursor: String(last === undefined ? after : last.cursor), users: [...users.values()], sessions };
}
