import { errorFromResponse, isRecord, TesseraClientError } from "./errors.js";
import { parseTokenResponse, parseUser, type Session, type User } from "./session.js";

/**
 * The fetch signature the SDK needs; `globalThis.fetch` by default.
 *
 * @example
 * const logging: FetchLike = (input, init) => { console.log(input); return fetch(input, init); };
 * createClient({ fetch: logging });
 */
export type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

/** The auth server's cookie endpoints, one function each; every call sends the refresh cookie. */
export interface AuthApi {
  register(email: string, password: string): Promise<User>;
  login(email: string, password: string, sentAt: number): Promise<Session>;
  /** Redeem a single-use login ticket: the same answer as `login`. */
  loginWithTicket(ticket: string, sentAt: number): Promise<Session>;
  /** The session's CSRF token, or null when the cookie names no live session. */
  csrf(): Promise<string | null>;
  refresh(csrfToken: string, sentAt: number): Promise<Session>;
  logout(csrfToken: string): Promise<void>;
}

/** @internal */
export function createAuthApi(baseUrl: string, fetchFn: FetchLike): AuthApi {
  async function send(
    method: string,
    path: string,
    options: { json?: unknown; csrf?: string } = {},
  ): Promise<Response> {
    const headers = new Headers({ Accept: "application/json" });
    if (options.json !== undefined) headers.set("Content-Type", "application/json");
    if (options.csrf !== undefined) headers.set("X-CSRF-Token", options.csrf);
    try {
      // "include" so the HttpOnly refresh cookie is sent and stored even when the auth server is
      // another origin of the same site.
      return await fetchFn(`${baseUrl}${path}`, {
        method,
        headers,
        credentials: "include",
        ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
      });
    } catch (cause) {
      throw new TesseraClientError("network_error", 0, { cause });
    }
  }

  async function json(res: Response): Promise<unknown> {
    try {
      return await res.json();
    } catch {
      throw new TesseraClientError("invalid_response", res.status);
    }
  }

  async function session(res: Response, sentAt: number): Promise<Session> {
    if (!res.ok) throw await errorFromResponse(res);
    return parseTokenResponse(await json(res), sentAt);
  }

  return {
    async register(email, password) {
      const res = await send("POST", "/auth/register", { json: { email, password } });
      if (!res.ok) throw await errorFromResponse(res);
      const body = await json(res);
      const user = isRecord(body) ? parseUser(body.user) : undefined;
      if (user === undefined) throw new TesseraClientError("invalid_response", res.status);
      return user;
    },
    async login(email, password, sentAt) {
      return session(await send("POST", "/auth/login", { json: { email, password } }), sentAt);
    },
    async loginWithTicket(ticket, sentAt) {
      return session(await send("POST", "/auth/login/ticket", { json: { ticket } }), sentAt);
    },
    async csrf() {
      const res = await send("GET", "/auth/csrf");
      if (res.status === 401) return null;
      if (!res.ok) throw await errorFromResponse(res);
      const body = await json(res);
      if (!isRecord(body) || typeof body.csrf_token !== "string") {
        throw new TesseraClientError("invalid_response", res.status);
      }
      return body.csrf_token;
    },
    async refresh(csrfToken, sentAt) {
      return session(await send("POST", "/auth/refresh", { csrf: csrfToken }), sentAt);
    },
    async logout(csrfToken) {
      const res = await send("POST", "/auth/logout", { csrf: csrfToken });
      // 401: the session was already gone, which is what the caller wants.
      if (!res.ok && res.status !== 401) throw await errorFromResponse(res);
    },
  };
}
