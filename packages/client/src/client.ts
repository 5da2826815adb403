import { createAuthApi, type FetchLike } from "./auth-api.js";
import type { AuthState, ClientOptions, TesseraClient } from "./client-types.js";
import { errorFromResponse, TesseraClientError } from "./errors.js";
import { createRecoveryApi, type FragmentHost } from "./recovery.js";
import { createRefreshLock, sleep } from "./refresh-lock.js";
import { replayableRequest } from "./replayable-request.js";
import { warnIfCrossSite } from "./same-site.js";

import { needsRefresh, type Session, type User } from "./session.js";
import { openTabChannel } from "./tab-channel.js";

/**
 * After a refresh the lock is held this much longer, so that a tab granted it next has received
 * the broadcast session: Web Locks and BroadcastChannel do not order their deliveries.
 */
const HANDOFF_MS = 50;

/**
 * Create the browser SDK. Tokens live in this object's memory only; tabs of one origin share
 * refreshes and logouts over a BroadcastChannel.
 *
 * @example
 * const auth = createClient({ baseUrl: "https://auth.example.com" });
 * await auth.restore();
 * if (!auth.user) await auth.login("ada@example.com", "correct horse battery staple");
 * const res = await auth.fetch("https://api.example.com/notes");
 */
export function createClient(options: ClientOptions = {}): TesseraClient {
  const now = options.now ?? (() => Date.now());
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const baseUrl = (options.baseUrl ?? "").replace(/\/+$/, "");
  warnIfCrossSite(baseUrl);
  const api = createAuthApi(baseUrl, fetchFn);
  const recovery = createRecoveryApi(baseUrl, fetchFn, options.fragmentHost ?? (globalThis as FragmentHost));
  const channelName = options.channelName ?? "tessera";
  const channel = openTabChannel(channelName);
  const exclusive = createRefreshLock(`${channelName}:refresh`, channel);
  const listeners = new Set<(state: AuthState) => void>();

  let session = null as Session | null;
  // Bumped whenever the session is replaced or ended here, so that a refresh answer arriving
  // afterwards is dropped instead of resurrecting a session.
  let epoch = 0;
  // CSRF tokens name sessions (one per login, constant across rotations). A session that ended
  // here is never adopted again, even from a tab that refreshed it just before the end.
  const ended = new Set<string>();
  let inflight: Promise<void> | null = null;

  function emit(state: AuthState): void {
    for (const listener of [...listeners]) {
      try {
        listener(state);
      } catch (error) {
        // A broken listener must not break the SDK; report it like an uncaught error.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  function adopt(next: Session, announce: boolean, state?: AuthState): void {
    const change = state ?? (session?.user.id === next.user.id ? "refreshed" : "authenticated");
    session = next;
    if (announce) channel.post({ type: "session", session: next });
    emit(change);
  }

  function end(state: "logged_out" | "session_expired", csrfToken: string | null, announce: boolean): void {
    epoch++;
    if (csrfToken !== null) ended.add(csrfToken);
    if (session !== null) ended.add(session.csrfToken);
    if (announce && csrfToken !== null) channel.post({ type: "ended", state, csrfToken });
    if (session === null) return;
    session = null;
    emit(state);
  }

  channel.subscribe((message) => {
    if (message.type === "session") {
      if (ended.has(message.session.csrfToken)) return;
      if (session !== null && message.session.expiresAt <= session.expiresAt) return;
      adopt(message.session, false);
    } else if (message.type === "ended" && session?.csrfToken === message.csrfToken) {
      end(message.state, null, false);
    }
  });

  /** True when the session holds a usable token other than `stale`. */
  function hasFresherToken(stale: string | null): boolean {
    return session !== null && session.accessToken !== stale && !needsRefresh(session, now());
  }

  /** Replace the token `stale`; every concurrent caller shares one refresh. */
  function refresh(stale: string | null, csrfToken?: string): Promise<void> {
    if (hasFresherToken(stale)) return Promise.resolve();
    inflight ??= refreshAcrossTabs(stale, csrfToken).finally(() => {
      inflight = null;
    });
    return inflight;
  }

  function refreshAcrossTabs(stale: string | null, csrfHint: string | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const locked = exclusive(async () => {
        let refreshed: boolean;
        try {
          refreshed = await refreshHoldingLock(stale, csrfHint);
          resolve();
        } catch (error) {
          reject(error);
          return;
        }
        if (refreshed) await sleep(HANDOFF_MS);
      });
      locked.catch(reject);
    });
  }

  async function refreshHoldingLock(stale: string | null, csrfHint: string | undefined): Promise<boolean> {
    // Another tab may have refreshed while this one waited for the lock.
    if (hasFresherToken(stale)) return false;
    const csrfToken = session?.csrfToken ?? csrfHint;
    if (csrfToken === undefined) throw new TesseraClientError("not_authenticated", 0);
    const started = epoch;
    let next: Session;
    try {
      next = await refreshRecoveringCsrf(csrfToken);
    } catch (error) {
      if (error instanceof TesseraClientError && error.status === 401 && epoch === started) {
        end("session_expired", csrfToken, true);
      }
      throw error;
    }
    if (epoch !== started) return false;
    adopt(next, true);
    return true;
  }

  /**
   * A 403 `csrf_failed` consumed nothing at the server. The CSRF token this tab holds can be stale
   * (a broadcast missed while the tab was frozen, or the server's master key rewrapped), so ask the
   * server for the session's current one once and retry with it; never more than once.
   */
  async function refreshRecoveringCsrf(csrfToken: string): Promise<Session> {
    try {
      return await api.refresh(csrfToken, now());
    } catch (error) {
      if (!(error instanceof TesseraClientError && error.status === 403 && error.code === "csrf_failed")) {
        throw error;
      }
      const current = await api.csrf();
      if (current === null) throw new TesseraClientError("session_expired", 401);
      if (current === csrfToken) throw error;
      return api.refresh(current, now());
    }
  }

  function currentUser(): User | null {
    return session?.user ?? null;
  }

  function requireSession(): Session {
    if (session === null) throw new TesseraClientError("not_authenticated", 0);
    return session;
  }

  async function currentToken(): Promise<string> {
    const held = requireSession();
    if (!needsRefresh(held, now())) return held.accessToken;
    try {
      await refresh(held.accessToken);
    } catch (error) {
      // A refresh that could not get through must not fail a request the old token can still make.
      const transient =
        error instanceof TesseraClientError &&
        (error.status === 0 || error.status === 429 || error.status >= 500);
      if (transient && session === held && now() < held.expiresAt) return held.accessToken;
      throw error;
    }
    return requireSession().accessToken;
  }

  async function send(request: Request, token: string): Promise<Response> {
    const headers = new Headers(request.headers);
    headers.set("Authorization", `Bearer ${token}`);
    return fetchFn(new Request(request, { headers }));
  }

  async function authorizedFetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    const request = replayableRequest(input, init);
    const token = await currentToken();
    const first = await send(request.first, token);
    if (first.status !== 401) return first;
    await first.body?.cancel().catch(() => undefined);
    await refresh(token);
    // A streamed body cannot be sent twice: the refreshed token serves the caller's own retry.
    if (request.retry === undefined) return first;
    return send(request.retry, requireSession().accessToken);
  }

  /** A login of either kind. */
  function startSession(call: (sentAt: number) => Promise<Session>): Promise<User> {
    // Under the refresh lock: a refresh still in flight in another tab would otherwise store
    // its rotated cookie over the new session's.
    return exclusive(async () => {
      const next = await call(now());
      epoch++;
      adopt(next, true, "authenticated");
      return next.user;
    });
  }

  return {
    get user() {
      return currentUser();
    },
    register: (email, password) => api.register(email, password),
    login: (email, password) => startSession((sentAt) => api.login(email, password, sentAt)),
    loginWithTicket: (ticket) => startSession((sentAt) => api.loginWithTicket(ticket, sentAt)),
    fetch: authorizedFetch,
    async restore() {
      if (session !== null) return session.user;
      const csrfToken = await api.csrf();
      if (csrfToken === null) return null;
      try {
        await refresh(null, csrfToken);
      } catch (error) {
        if (error instanceof TesseraClientError && error.status === 401) return null;
        throw error;
      }
      // Read through a call: the narrowing of `session` above does not survive the awaits.
      return currentUser();
    },
    on(_event, listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async logout() {
      // Under the refresh lock, so no tab is mid-refresh and about to broadcast a session that
      // this logout is revoking.
      await exclusive(async () => {
        const csrfToken = session?.csrfToken ?? (await api.csrf());
        try {
          if (csrfToken !== null) await api.logout(csrfToken);
        } finally {
          // The user asked to be logged out: forget the tokens even if the server was unreachable
          // (the error still reaches the caller, whose server session may then be alive).
          end("logged_out", csrfToken, true);
        }
      });
    },
    async logoutAll() {
      const csrfToken = requireSession().csrfToken;
      const res = await authorizedFetch(`${baseUrl}/auth/logout-all`, {
        method: "POST",
        credentials: "include",
      });
      if (!res.ok) throw await errorFromResponse(res);
      end("logged_out", csrfToken, true);
    },
    forgotPassword: (email) => recovery.forgotPassword(email),
    resetPassword: (tokenOrPassword: string | undefined, newPassword?: string) =>
      recovery.resetPassword(tokenOrPassword, newPassword),
    verifyEmail: (token) => recovery.verifyEmail(token),
    async resendVerification() {
      const res = await authorizedFetch(`${baseUrl}/auth/email/resend`, { method: "POST" });
      if (!res.ok) throw await errorFromResponse(res);
    },
    close: () => channel.close(),
  };
}
