import { expect } from "vitest";
import { callInstance, freshClientIp } from "./instance-call.js";
import { STRONG_PASSWORD, uniqueEmail } from "./test-server.js";

// Refresh load for the fault tests: many sessions, each a loop of `POST /oauth/token` refreshes
// over its own connection, keeping exactly what a careful client keeps — the last refresh token
// it was given. A request whose answer never arrives (the server died) is retried with the same
// token, as a client would; the rotation contract says that must still work (the rotation never
// committed, or it did and the grace window hands back the same successor).

/** One session of the load: what its client holds. */
export interface LoadSession {
  /** The refresh token of the last 200 answer (or of the login). */
  token: string;
  /** Whether the last request with `token` got no answer (sent, then the connection died). */
  answerLost: boolean;
  /** A request of this session was on its way when the fault hit (see `RefreshLoad.fault`). */
  hitByFault?: boolean;
}

/** What one run of the load saw. */
export interface LoadFigures {
  /** Refreshes answered 200. */
  ok: number;
  /** Answers by `<status> <error code>`, 200s excluded. */
  refused: Record<string, number>;
  /** Requests sent whose answer never came. */
  lostAnswers: number;
  /** 5xx answers other than the documented 503 `store_unavailable`. */
  undocumented5xx: number;
  /** Requests on their way when `fault()` was called that never got an answer. */
  unansweredAtFault: number;
}

/** A running load; `stop()` waits for every loop to end. */
export interface RefreshLoad {
  /**
   * Marks the sessions with a request on its way now (to `url`, or to any instance) — call it as
   * the fault hits; returns their count.
   */
  fault(url?: string): number;
  /** Resolves once `count` more refreshes have been answered 200 (from the time of the call). */
  okAfter(count: number): Promise<void>;
  figures(): LoadFigures;
  stop(): Promise<LoadFigures>;
}

export interface LoadOptions {
  /** The instance URLs to use now; session `i` uses entry `i % length` (re-read every request). */
  targets: () => string[];
  /** End a session's loop when an answer is lost (the only instance died) instead of retrying. */
  stopOnLostAnswer?: boolean;
  /** Answers allowed besides 200 (each is retried after a short pause); anything else fails the test. */
  allowed?: ReadonlyArray<string>;
}

const REQUEST_TIMEOUT_MS = 15_000;
/** The documented 503s: the store cannot answer, or the server is shutting down. */
const DOCUMENTED_503 = new Set(["503 store_unavailable", "503 shutting_down"]);

/**
 * Registers one user and logs it in `count` times (each login its own session), on `url`.
 *
 * @example
 * const sessions = await openSessions(instance.url, 64);
 */
export async function openSessions(url: string, count: number): Promise<LoadSession[]> {
  const email = uniqueEmail("fault");
  const register = await callInstance(url, "POST", "/auth/register", {
    json: { email, password: STRONG_PASSWORD },
  });
  expect(register.status).toBe(201);
  const sessions: LoadSession[] = [];
  // Eight at a time: each login is an argon2id verification.
  for (let start = 0; start < count; start += 8) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, count - start) }, () =>
        callInstance(url, "POST", "/auth/login", {
          json: { email, password: STRONG_PASSWORD, token_delivery: "body" },
          // Seen as its own client where the instance trusts loopback proxies (per-IP budgets).
          ip: freshClientIp(),
        }),
      ),
    );
    for (const login of batch) {
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      sessions.push({ token: login.body.refresh_token as string, answerLost: false });
    }
  }
  return sessions;
}

/** One `POST /oauth/token` refresh; `null` when no answer arrived. */
export async function refreshOnce(
  url: string,
  token: string,
): Promise<{ status: number; code: string | undefined; token: string | undefined; headers: Headers } | null> {
  try {
    const res = await fetch(new URL("/oauth/token", url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: token }).toString(),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body = (await res.json().catch(() => ({}))) as { error?: string; refresh_token?: string };
    return { status: res.status, code: body.error, token: body.refresh_token, headers: res.headers };
  } catch {
    return null;
  }
}

/**
 * Starts one refresh loop per session. Answers must be 200 or one of `allowed`; the rest are
 * counted (and failed by the caller's assertions on the figures).
 *
 * @example
 * const load = runRefreshLoad(sessions, { targets: () => [instance.url], stopOnLostAnswer: true });
 * await load.okAfter(200);
 */
export function runRefreshLoad(sessions: LoadSession[], options: LoadOptions): RefreshLoad {
  const allowed = new Set(options.allowed ?? []);
  const figures: LoadFigures = {
    ok: 0,
    refused: {},
    lostAnswers: 0,
    undocumented5xx: 0,
    unansweredAtFault: 0,
  };
  const pending = new Map<LoadSession, { url: string; atFault: boolean }>();
  let stopped = false;
  const waiters: Array<{ at: number; resolve: () => void }> = [];

  const loop = async (session: LoadSession, index: number) => {
    while (!stopped) {
      const targets = options.targets();
      const url = targets[index % targets.length] as string;
      const request = { url, atFault: false };
      pending.set(session, request);
      const res = await refreshOnce(url, session.token);
      pending.delete(session);
      if (res === null) {
        figures.lostAnswers += 1;
        if (request.atFault) figures.unansweredAtFault += 1;
        session.answerLost = true;
        if (options.stopOnLostAnswer) return;
        await pause(50);
        continue;
      }
      if (res.status === 200 && res.token) {
        session.token = res.token;
        session.answerLost = false;
        figures.ok += 1;
        for (const waiter of waiters.filter((w) => figures.ok >= w.at)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
        continue;
      }
      const key = `${res.status} ${res.code ?? "?"}`;
      figures.refused[key] = (figures.refused[key] ?? 0) + 1;
      if (res.status >= 500 && !DOCUMENTED_503.has(key)) figures.undocumented5xx += 1;
      // An unexpected refusal ends this session's loop: its token may be gone.
      if (!allowed.has(key)) return;
      await pause(50);
    }
  };
  const loops = sessions.map((session, index) => loop(session, index));

  return {
    fault(url) {
      let hit = 0;
      for (const [session, request] of pending) {
        if (url !== undefined && request.url !== url) continue;
        session.hitByFault = true;
        request.atFault = true;
        hit += 1;
      }
      return hit;
    },
    okAfter: (count) => new Promise((resolve) => waiters.push({ at: figures.ok + count, resolve })),
    figures: () => ({ ...figures, refused: { ...figures.refused } }),
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return { ...figures, refused: { ...figures.refused } };
    },
  };
}

/** After a fault: how many sessions were checked and which of them no longer refresh. */
export interface SessionCheck {
  checked: number;
  /** Sessions whose request was on its way when the fault hit. */
  hitByFault: number;
  /** `<session index>: <status> <code>` for each session that did not refresh twice in a row. */
  lost: string[];
}

/**
 * Every session must refresh with the token its client holds (a lost answer's retry gets the
 * rotation's grace successor or a fresh one), and the token it then gets must work too.
 *
 * @example
 * const check = await checkSessions(restarted.url, sessions);
 * expect(check.lost).toEqual([]);
 */
export async function checkSessions(url: string, sessions: LoadSession[]): Promise<SessionCheck> {
  const check: SessionCheck = { checked: 0, hitByFault: 0, lost: [] };
  for (let start = 0; start < sessions.length; start += 8) {
    await Promise.all(
      sessions.slice(start, start + 8).map(async (session, offset) => {
        check.checked += 1;
        if (session.hitByFault) check.hitByFault += 1;
        for (let step = 0; step < 2; step++) {
          const res = await refreshOnce(url, session.token);
          if (res?.status !== 200 || !res.token) {
            check.lost.push(`${start + offset}: ${res?.status ?? "no answer"} ${res?.code ?? ""}`);
            return;
          }
          session.token = res.token;
          session.answerLost = false;
        }
      }),
    );
  }
  return check;
}

/** Waits until `GET /readyz` answers 200 (bounded). */
export async function waitReady(url: string, limitMs = 20_000): Promise<void> {
  const started = performance.now();
  for (;;) {
    const res = await fetch(new URL("/readyz", url)).catch(() => null);
    if (res?.status === 200) return;
    if (performance.now() - started > limitMs) throw new Error(`${url} not ready within ${limitMs} ms`);
    await pause(50);
  }
}

/**
 * One summary line per fault run, for the README's "Reliability" table.
 *
 * @example
 * reportFault("sqlite SIGKILL", { faults: 1, inFlight: 12, checked: 64, lost: 0, fiveXx: 0 });
 */
export function reportFault(
  name: string,
  figures: {
    faults: number;
    inFlight: number;
    checked: number;
    lost: number;
    fiveXx: number;
    extra?: string;
  },
): void {
  console.log(
    `[fault] ${name}: faults injected ${figures.faults}, requests in flight at the fault ${figures.inFlight}, sessions checked after ${figures.checked}, sessions lost ${figures.lost}, 5xx seen ${figures.fiveXx}${figures.extra ? `, ${figures.extra}` : ""}`,
  );
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
