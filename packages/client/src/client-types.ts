// The public shape of the browser SDK: its options, its states and its methods.
import type { FetchLike } from "./auth-api.js";
import type { FragmentHost } from "./recovery.js";
import type { User } from "./session.js";

/**
 * Options of {@link createClient}.
 *
 * @example
 * createClient({ baseUrl: "https://auth.example.com", channelName: "my-app" });
 */
export interface ClientOptions {
  /** The auth server's origin (and path prefix, if any), e.g. `https://auth.example.com`. Default: same origin. */
  baseUrl?: string;
  /** The fetch to use; default `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Milliseconds since the epoch; inject a clock in tests. Default `Date.now`. */
  now?: () => number;
  /** BroadcastChannel name shared by the tabs of one app; also names the Web Lock. Default `"tessera"`. */
  channelName?: string;
  /** Where mail links' `#token=` is read from and cleared; default the page's `location`/`history`. */
  fragmentHost?: FragmentHost;
}

/**
 * The transitions reported to `on("change")`.
 *
 * @example
 * auth.on("change", (state: AuthState) => { if (state === "session_expired") showLogin(); });
 */
export type AuthState = "authenticated" | "refreshed" | "logged_out" | "session_expired";

/**
 * The browser SDK; see {@link createClient}.
 *
 * @example
 * const auth: TesseraClient = createClient();
 * const user = await auth.restore();
 */
export interface TesseraClient {
  /** The logged-in user, or null. */
  readonly user: User | null;
  /** Create an account; does not log in. */
  register(email: string, password: string): Promise<User>;
  /** Log in; the access token stays in this object's memory and the refresh token in an HttpOnly cookie. */
  login(email: string, password: string): Promise<User>;
  /**
   * Log in with a single-use login ticket that your own backend got from Tessera's admin API after
   * authenticating the user its own way (SSO, magic link, …). Afterwards everything is exactly as
   * after `login`. Pass the ticket in a POST body only — never put it in a URL query string.
   *
   * @example
   * const ticket = new URLSearchParams(location.hash.slice(1)).get("ticket");
   * if (ticket) await auth.loginWithTicket(ticket);
   */
  loginWithTicket(ticket: string): Promise<User>;
  /**
   * `fetch` with `Authorization: Bearer <access token>` added. The token goes to exactly the URL
   * passed here, so pass only URLs of APIs that should receive it. Refreshes first when the
   * token is about to expire; on a 401 refreshes once and retries once.
   */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  /** After a page load: resume the session of the refresh cookie, if there is one. */
  restore(): Promise<User | null>;
  /** Listen to state changes, including those caused by other tabs; returns the unsubscribe function. */
  on(event: "change", listener: (state: AuthState) => void): () => void;
  /** End this browser's session at the server and in every tab. */
  logout(): Promise<void>;
  /** End every session of the user, on every device. */
  logoutAll(): Promise<void>;
  /** Ask for a reset mail; resolves the same whether or not the address has an account. */
  forgotPassword(email: string): Promise<void>;
  /**
   * Set a new password with a reset link's token; without one, the token is read from the page's
   * `#token=` (and the fragment cleared). Every session of the user ends; log in afterwards.
   *
   * @example
   * await auth.resetPassword(undefined, newPassword); // on /reset-password#token=…
   */
  resetPassword(token: string | undefined, newPassword: string): Promise<void>;
  resetPassword(newPassword: string): Promise<void>;
  /** Confirm the address with a verification link's token (default: the page's `#token=`). */
  verifyEmail(token?: string): Promise<void>;
  /** Mail a new verification link to the logged-in user. */
  resendVerification(): Promise<void>;
  /** Stop listening to other tabs (for tests and teardown). */
  close(): void;
}
