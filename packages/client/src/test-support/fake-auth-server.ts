/**
 * An in-memory stand-in for the auth server plus one browser's cookie jar, for the SDK's unit
 * tests. It follows the server's HTTP contract (packages/server/README.md): expiring access tokens on an injected clock,
 * single-use rotating refresh cookies with reuse detection, per-session CSRF tokens, and a
 * Bearer-protected resource at `/api/*`. The cookie is only sent and stored for requests made
 * with `credentials: "include"`, as a browser does for a cross-origin auth server.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  url: string;
  headers: Headers;
  credentials: RequestCredentials;
}

interface SessionRow {
  id: string;
  userId: string;
  csrf: string;
  revoked: boolean;
}

type Failure = { network: true } | { status: number; error: string; retryAfter?: number };

export class FakeAuthServer {
  readonly requests: RecordedRequest[] = [];
  /** The browser's refresh cookie; shared by every client ("tab") using this server's fetch. */
  cookie: string | undefined;
  /** When true, every resource request is answered 401, whatever the token. */
  resourceAlwaysUnauthorized = false;

  readonly #now: () => number;
  readonly #ttlSeconds: number;
  readonly #users = new Map<string, { id: string; password: string }>();
  readonly #sessions = new Map<string, SessionRow>();
  readonly #refresh = new Map<string, { sessionId: string; used: boolean }>();
  readonly #access = new Map<string, { sessionId: string; exp: number }>();
  readonly #failures = new Map<string, Failure>();
  #seq = 0;

  constructor(options: { now: () => number; accessTtlSeconds?: number }) {
    this.#now = options.now;
    this.#ttlSeconds = options.accessTtlSeconds ?? 900;
  }

  /** Requests seen for `METHOD /path`. */
  count(method: string, path: string): number {
    return this.requests.filter((r) => r.method === method && r.path === path).length;
  }

  /** Make the next request to `path` fail (at the network, or with a status). */
  failNext(path: string, failure: Failure): void {
    this.#failures.set(path, failure);
  }

  /** Give every session a new CSRF token, as a master-key rewrap does at the real server. */
  rekeyCsrf(): void {
    for (const session of this.#sessions.values()) session.csrf = `csrf_${++this.#seq}`;
  }

  /** Reject every access token issued so far while the sessions stay alive. */
  revokeAccessTokens(): void {
    this.#access.clear();
  }

  readonly #tickets = new Map<string, string>();

  /** A single-use login ticket for a registered e-mail (as the admin API would make). */
  issueTicket(email: string): string {
    const ticket = `ticket_${++this.#seq}`;
    this.#tickets.set(ticket, email);
    return ticket;
  }

  /** Revoke every session (as an administrator would); the refresh cookie stops working. */
  revokeSessions(): void {
    for (const s of this.#sessions.values()) s.revoked = true;
  }

  readonly fetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    this.requests.push({
      method: request.method,
      path: url.pathname,
      url: request.url,
      headers: request.headers,
      credentials: request.credentials,
    });
    // Answer on a later turn of the event loop, as a network would.
    await new Promise((resolve) => setTimeout(resolve, 1));
    const failure = this.#failures.get(url.pathname);
    if (failure !== undefined) {
      this.#failures.delete(url.pathname);
      if ("network" in failure) throw new TypeError("fetch failed");
      const headers =
        failure.retryAfter === undefined ? undefined : { "Retry-After": `${failure.retryAfter}` };
      return json(failure.status, { error: failure.error, message: "injected" }, headers);
    }
    const withCookie = request.credentials === "include";
    const cookie = withCookie ? this.cookie : undefined;
    const route = `${request.method} ${url.pathname}`;
    switch (route) {
      case "POST /auth/register":
        return this.#register(await request.json());
      case "POST /auth/login":
        return this.#login(await request.json(), withCookie);
      case "POST /auth/login/ticket": {
        const { ticket } = (await request.json()) as { ticket: string };
        const email = this.#tickets.get(ticket);
        this.#tickets.delete(ticket);
        const user = email === undefined ? undefined : this.#users.get(email);
        if (email === undefined || user === undefined) return json(401, { error: "invalid_ticket" });
        return this.#login({ email, password: user.password }, withCookie);
      }
      case "GET /auth/csrf": {
        const session = this.#sessionOfCookie(cookie);
        return session ? json(200, { csrf_token: session.csrf }) : json(401, { error: "refresh_invalid" });
      }
      case "POST /auth/refresh":
        return this.#rotate(cookie, request.headers.get("X-CSRF-Token"), withCookie);
      case "POST /auth/logout": {
        const session = this.#sessionOfCookie(cookie);
        if (session && request.headers.get("X-CSRF-Token") !== session.csrf) {
          return json(403, { error: "csrf_failed" });
        }
        if (session) session.revoked = true;
        if (withCookie) this.cookie = undefined;
        return new Response(null, { status: 204 });
      }
      case "POST /auth/logout-all": {
        const caller = this.#bearer(request);
        if (caller === undefined) return unauthorized();
        for (const s of this.#sessions.values()) if (s.userId === caller.userId) s.revoked = true;
        if (withCookie) this.cookie = undefined;
        return new Response(null, { status: 204 });
      }
      case "GET /auth/me": {
        const caller = this.#bearer(request);
        if (caller === undefined) return unauthorized();
        return json(200, { user: this.#user(caller.userId), session: { id: caller.id } });
      }
    }
    if (url.pathname.startsWith("/api/")) {
      const caller = this.#bearer(request);
      if (caller === undefined || this.resourceAlwaysUnauthorized) return unauthorized();
      return json(200, { sub: caller.userId, body: request.body ? await request.text() : null });
    }
    return json(404, { error: "not_found" });
  };

  #register(body: { email: string; password: string }): Response {
    if (this.#users.has(body.email)) return json(409, { error: "email_taken" });
    const id = `user_${++this.#seq}`;
    this.#users.set(body.email, { id, password: body.password });
    return json(201, { user: { id, email: body.email } });
  }

  #login(body: { email: string; password: string }, withCookie: boolean): Response {
    const user = this.#users.get(body.email);
    if (user === undefined || user.password !== body.password) {
      return json(401, { error: "invalid_credentials" });
    }
    const session: SessionRow = {
      id: `sess_${++this.#seq}`,
      userId: user.id,
      csrf: `csrf_${++this.#seq}`,
      revoked: false,
    };
    this.#sessions.set(session.id, session);
    return this.#issue(session, withCookie);
  }

  #rotate(cookie: string | undefined, csrf: string | null, withCookie: boolean): Response {
    const row = cookie === undefined ? undefined : this.#refresh.get(cookie);
    const session = row && this.#sessions.get(row.sessionId);
    if (row === undefined || session === undefined) return json(401, { error: "refresh_invalid" });
    if (csrf !== session.csrf) return json(403, { error: "csrf_failed" });
    if (session.revoked) return json(401, { error: "session_revoked" });
    if (row.used) {
      session.revoked = true;
      return json(401, { error: "refresh_reused" });
    }
    row.used = true;
    return this.#issue(session, withCookie);
  }

  #issue(session: SessionRow, withCookie: boolean): Response {
    const refresh = `rt_${++this.#seq}`;
    this.#refresh.set(refresh, { sessionId: session.id, used: false });
    if (withCookie) this.cookie = refresh;
    const accessToken = `at_${++this.#seq}`;
    this.#access.set(accessToken, { sessionId: session.id, exp: this.#now() + this.#ttlSeconds * 1000 });
    return json(200, {
      access_token: accessToken,
      token_type: "Bearer",
      expires_in: this.#ttlSeconds,
      csrf_token: session.csrf,
      user: this.#user(session.userId),
    });
  }

  #sessionOfCookie(cookie: string | undefined): SessionRow | undefined {
    const row = cookie === undefined ? undefined : this.#refresh.get(cookie);
    const session = row && !row.used ? this.#sessions.get(row.sessionId) : undefined;
    return session && !session.revoked ? session : undefined;
  }

  #bearer(request: Request): SessionRow | undefined {
    const match = /^Bearer (.+)$/.exec(request.headers.get("Authorization") ?? "");
    const token = match?.[1] === undefined ? undefined : this.#access.get(match[1]);
    if (token === undefined || this.#now() >= token.exp) return undefined;
    const session = this.#sessions.get(token.sessionId);
    return session && !session.revoked ? session : undefined;
  }

  #user(id: string): { id: string; email: string } {
    for (const [email, user] of this.#users) if (user.id === id) return { id, email };
    throw new Error("unknown user");
  }
}

function json(status: number, body: unknown, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers },
  });
}

function unauthorized(): Response {
  return new Response(JSON.stringify({ error: "token_invalid" }), {
    status: 401,
    headers: { "Content-Type": "application/json", "WWW-Authenticate": 'Bearer error="invalid_token"' },
  });
}
