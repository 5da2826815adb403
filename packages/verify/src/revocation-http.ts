import type { AccessClaims, RevocationSource, VerifierClock } from "./types.js";

/** Options of {@link httpRevocationSource}. */
export interface HttpRevocationOptions {
  /** The feed, e.g. `https://auth.example.com/oauth/revocations`. */
  url: string | URL;
  /** Resource-server credential (HTTP Basic), from `TESSERA_RESOURCE_SECRETS`. */
  clientId: string;
  clientSecret: string;
  /** Poll interval in ms. Default 5000. */
  intervalMs?: number;
  /** Request timeout in ms. Default 5000. */
  timeoutMs?: number;
  /**
   * Treat every token as revoked when the last successful poll is older than this (ms): fail
   * closed during a long feed outage. Default: never (keep serving the last known state).
   */
  maxStalenessMs?: number;
  /** Forget entries this long (s) after their revocation time: no token older can still be live. Default 7200. */
  retentionSeconds?: number;
  fetch?: typeof globalThis.fetch;
  clock?: VerifierClock;
  /** Told when a poll fails (never with a token or the secret). */
  onError?: (error: Error) => void;
}

/** A {@link RevocationSource} fed by the auth server's revocation feed. */
export interface HttpRevocationSource extends RevocationSource {
  /** Settles after the first poll has drained the feed (resolves on success, rejects on failure). */
  readonly ready: Promise<void>;
  /** Poll now (also what the timer does); resolves when the state is current. */
  refresh(): Promise<void>;
  close(): void;
}

interface FeedUser {
  sub: string;
  not_before: number;
  epoch: number;
}
interface FeedSession {
  sid: string;
  revoked_at: number;
}
interface Feed {
  cursor: string;
  users: FeedUser[];
  sessions: FeedSession[];
  /** More events wait after `cursor` (absent from older servers: no). */
  more?: boolean;
}

/** Pages read in one poll at most (5,000 events each on Tessera): a runaway feed cannot pin a poll. */
const MAX_PAGES_PER_POLL = 1000;

function isFeed(value: unknown): value is Feed {
  if (typeof value !== "object" || value === null) return false;
  const { cursor, users, sessions, more } = value as Record<string, unknown>;
  return (
    typeof cursor === "string" &&
    (more === undefined || typeof more === "boolean") &&
    Array.isArray(users) &&
    Array.isArray(sessions) &&
    users.every(
      (u: FeedUser) =>
        typeof u?.sub === "string" &&
        Number.isFinite(u.not_before) &&
        (u.epoch === undefined || Number.isSafeInteger(u.epoch)),
    ) &&
    sessions.every((s: FeedSession) => typeof s?.sid === "string" && Number.isFinite(s.revoked_at))
  );
}

function basic(id: string, secret: string): string {
  const bytes = new TextEncoder().encode(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

/**
 * Poll Tessera's revocation feed (`GET /oauth/revocations?since=<cursor>`, HTTP Basic, with
 * `If-None-Match`) and keep revoked sessions and user epochs in memory, so `isRevoked` costs no
 * network. The first poll asks without a cursor and gets the server's compacted snapshot; every
 * poll reads page after page while the answer says `more`, so `ready` and each poll end with the
 * feed drained (a revocation is seen within one interval, however large the burst). A token is revoked when its `sid` was revoked, or its `epoch` is below its user's
 * feed epoch (for a token without `epoch`: its `iat` is before the user's `not_before`).
 * Until the first poll succeeds `isRevoked` waits for it and, if it failed, answers revoked
 * (fail closed); afterwards a failed poll keeps the last state (see `maxStalenessMs`).
 *
 * @example
 * const revocation = httpRevocationSource({
 *   url: "https://auth.example.com/oauth/revocations", clientId: "orders-api", clientSecret: process.env.SECRET!,
 * });
 * const verifier = createVerifier({ issuer, audience, revocation });
 */
export function httpRevocationSource(options: HttpRevocationOptions): HttpRevocationSource {
  const url = new URL(options.url);
  if (
    typeof options.clientId !== "string" ||
    !options.clientId ||
    typeof options.clientSecret !== "string" ||
    !options.clientSecret
  ) {
    throw new TypeError("httpRevocationSource: clientId and clientSecret are required");
  }
  const intervalMs = options.intervalMs ?? 5000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const retention = options.retentionSeconds ?? 7200;
  if (!(intervalMs >= 100) || !(timeoutMs > 0) || !(retention > 0)) {
    throw new TypeError("httpRevocationSource: intervalMs ≥ 100, timeoutMs and retentionSeconds > 0");
  }
  const fetchFn = options.fetch ?? globalThis.fetch;
  const clock = options.clock ?? { now: () => Date.now() };
  const authorization = basic(options.clientId, options.clientSecret);

  const users = new Map<string, { notBefore: number; epoch: number | undefined }>();
  const sessions = new Map<string, number>();
  let cursor: string | undefined;
  let etag: string | undefined;
  let lastSuccess: number | undefined;
  let inflight: Promise<void> | undefined;
  let closed = false;

  function prune(): void {
    const horizon = clock.now() / 1000 - retention;
    for (const [sid, at] of sessions) if (at < horizon) sessions.delete(sid);
    for (const [sub, u] of users) if (u.notBefore < horizon) users.delete(sub);
  }

  /** Reads one page; `true` when the feed says more events wait. */
  async function readPage(withEtag: boolean): Promise<boolean> {
    const target = new URL(url);
    if (cursor !== undefined) target.searchParams.set("since", cursor);
    const headers: Record<string, string> = { authorization, accept: "application/json" };
    if (withEtag && etag !== undefined) headers["if-none-match"] = etag;
    const response = await fetchFn(target, {
      headers,
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status === 304) return false;
    if (!response.ok) throw new Error(`revocation feed answered HTTP ${response.status}`);
    const body: unknown = await response.json();
    if (!isFeed(body)) throw new Error("revocation feed answered an unexpected shape");
    for (const u of body.users) {
      const known = users.get(u.sub);
      users.set(u.sub, {
        notBefore: Math.max(known?.notBefore ?? Number.NEGATIVE_INFINITY, u.not_before),
        epoch: u.epoch === undefined ? known?.epoch : Math.max(known?.epoch ?? 0, u.epoch),
      });
    }
    for (const s of body.sessions) sessions.set(s.sid, Math.max(sessions.get(s.sid) ?? 0, s.revoked_at));
    cursor = body.cursor;
    etag = response.headers.get("etag") ?? undefined;
    return body.more === true;
  }

  /** One poll: every page until the feed is drained, so a burst is applied in one poll. */
  async function poll(): Promise<void> {
    let more = await readPage(true);
    for (let pages = 1; more && pages < MAX_PAGES_PER_POLL; pages++) more = await readPage(false);
    lastSuccess = clock.now();
    prune();
  }

  function refresh(): Promise<void> {
    inflight ??= poll()
      .catch((error: unknown) => {
        const err = error instanceof Error ? error : new Error("revocation feed poll failed");
        options.onError?.(err);
        throw err;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  function check(claims: AccessClaims): boolean {
    if (lastSuccess === undefined) return true;
    if (options.maxStalenessMs !== undefined && clock.now() - lastSuccess > options.maxStalenessMs)
      return true;
    if (sessions.has(claims.sid)) return true;
    const user = users.get(claims.sub);
    if (!user) return false;
    if (typeof claims.epoch === "number" && user.epoch !== undefined) return claims.epoch < user.epoch;
    return claims.iat < user.notBefore;
  }

  const ready = refresh();
  ready.catch(() => {});
  const timer = setInterval(() => {
    if (!closed) refresh().catch(() => {});
  }, intervalMs);
  (timer as { unref?: () => void }).unref?.();

  return {
    ready,
    refresh,
    isRevoked(claims) {
      if (lastSuccess === undefined)
        return ready.then(
          () => check(claims),
          () => true,
        );
      return check(claims);
    },
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
