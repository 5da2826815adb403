import type { RevocationFeed } from "../api.js";
import { TesseraError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import type { RevocationEvent } from "../store.js";

/** Events per answer; `more` tells a consumer to ask again at once with the new cursor. */
export const REVOCATION_PAGE = 5000;
const CURSOR = /^(0|[1-9][0-9]{0,15})$/;
/** How far in the future an access token's `iat` may be (as `verifyAccessToken` allows). */
const IAT_LEEWAY_MS = 60_000;

/**
 * The revocation feed for resource servers. `since` is the `cursor` of a previous answer (a
 * decimal string): the next page of at most `page` events after it, with `more: true` when
 * further events are waiting. Without `since` (or with `"0"`): a compacted snapshot of everything
 * that still matters — the latest epoch of every user with a retained event, and the sessions
 * revoked within the access-token lifetime (older ones can only name expired tokens) — with the
 * current cursor, so a cold start is one answer however long the log. `users` keeps only the
 * latest event per user: tokens of `sub` whose `epoch` is below `epoch` are revoked
 * (`not_before`, the revocation time in seconds rounded up, serves verifiers that only look at
 * `iat`). `sessions` lists revoked families with `revoked_at` in seconds (rounded up). A
 * malformed `since` is `invalid_input`.
 *
 * @example
 * const { cursor, users, sessions, more } = await revocationFeed(rt, lastCursor);
 */
export async function revocationFeed(
  rt: Runtime,
  since: string | undefined,
  page = REVOCATION_PAGE,
): Promise<RevocationFeed> {
  let after = 0;
  if (since !== undefined) {
    if (typeof since !== "string" || !CURSOR.test(since) || !Number.isSafeInteger(Number(since))) {
      throw new TesseraError("invalid_input", "since must be a cursor from an earlier answer");
    }
    after = Number(since);
  }
  if (after === 0) return snapshot(rt, page);
  // One event beyond the page says whether there is more, without a second query.
  const events = await rt.store.listRevocations(after, page + 1);
  const shown = events.slice(0, page);
  const feed = new FeedBuilder();
  for (const event of shown) feed.add(event);
  return feed.answer(shown.at(-1)?.cursor ?? after, events.length > page);
}

async function snapshot(rt: Runtime, page: number): Promise<RevocationFeed> {
  const horizon = rt.clock.now() - rt.options.accessTokenTtlMs - IAT_LEEWAY_MS;
  const feed = new FeedBuilder();
  let cursor = 0;
  for (;;) {
    const events = await rt.store.listRevocations(cursor, page);
    for (const event of events) if (event.kind === "user" || event.at >= horizon) feed.add(event);
    cursor = events.at(-1)?.cursor ?? cursor;
    if (events.length < page) return feed.answer(cursor, false);
  }
}

/** Collects events into the feed's shape: users collapsed to their latest event, sessions once each. */
class FeedBuilder {
  readonly #users = new Map<string, { sub: string; not_before: number; epoch: number }>();
  readonly #sessions = new Map<string, number>();

  add(event: RevocationEvent): void {
    const seconds = Math.ceil(event.at / 1000);
    if (event.kind === "user") {
      this.#users.delete(event.userId); // re-insert so the map keeps the latest event's position
      this.#users.set(event.userId, { sub: event.userId, not_before: seconds, epoch: event.epoch ?? 0 });
    } else if (event.sessionId !== null) {
      this.#sessions.set(event.sessionId, seconds);
    }
  }

  answer(cursor: number, more: boolean): RevocationFeed {
    return {
      cursor: String(cursor),
      users: [...this.#users.values()],
      sessions: [...this.#sessions].map(([sid, revoked_at]) => ({ sid, revoked_at })),
      more,
    };
  }
}
