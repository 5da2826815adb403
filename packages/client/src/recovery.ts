import type { FetchLike } from "./auth-api.js";
import { errorFromResponse, TesseraClientError } from "./errors.js";

/** Where the SDK reads and clears a mail link's `#token=` (the browser's by default). */
export interface FragmentHost {
  location?: { hash: string; pathname: string; search: string };
  history?: { replaceState(data: unknown, unused: string, url?: string): void };
}

/** The account-recovery calls of the SDK; see `TesseraClient`. */
export interface RecoveryApi {
  forgotPassword(email: string): Promise<void>;
  resetPassword(tokenOrPassword: string | undefined, newPassword?: string): Promise<void>;
  verifyEmail(token?: string): Promise<void>;
}

/**
 * The token of the page's fragment (`…#token=…`), removed from the address bar at once so it
 * stays out of the history, bookmarks and screenshots. `missing_token` when there is none.
 */
function takeFragmentToken(host: FragmentHost): string | null {
  const { location, history } = host;
  const token = new URLSearchParams((location?.hash ?? "").replace(/^#/, "")).get("token");
  if (token === null || token === "" || location === undefined) return null;
  if (history !== undefined) history.replaceState(null, "", `${location.pathname}${location.search}`);
  else location.hash = "";
  return token;
}

/** @internal */
export function createRecoveryApi(baseUrl: string, fetchFn: FetchLike, host: FragmentHost): RecoveryApi {
  // The fragment's token, kept in memory after the address bar was cleared, so that a retry after
  // `weak_password` (the token stays valid then) still has it.
  let remembered: string | null = null;
  const fragmentToken = (): string => {
    remembered = takeFragmentToken(host) ?? remembered;
    if (remembered === null) throw new TesseraClientError("missing_token", 0);
    return remembered;
  };

  async function post(path: string, json: unknown): Promise<void> {
    let res: Response;
    try {
      res = await fetchFn(`${baseUrl}${path}`, {
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/json" },
        credentials: "include",
        body: JSON.stringify(json),
      });
    } catch (cause) {
      throw new TesseraClientError("network_error", 0, { cause });
    }
    if (!res.ok) throw await errorFromResponse(res);
  }

  return {
    forgotPassword: (email) => post("/auth/password/forgot", { email }),
    async resetPassword(tokenOrPassword, newPassword) {
      // resetPassword(newPassword) or resetPassword(token | undefined, newPassword)
      const [token, password] =
        newPassword === undefined
          ? [fragmentToken(), tokenOrPassword ?? ""]
          : [tokenOrPassword ?? fragmentToken(), newPassword];
      await post("/auth/password/reset", { token, new_password: password });
      remembered = null;
    },
    async verifyEmail(token) {
      await post("/auth/email/verify", { token: token ?? fragmentToken() });
      remembered = null;
    },
  };
}
