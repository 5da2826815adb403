import { type TesseraClient, TesseraClientError } from "@tessera/client";
import type { ActivityLog } from "./activity-log.js";
import { byId } from "./dom.js";
import { describeError } from "./errors.js";
import { clockTime } from "./format.js";
import { resultCard } from "./result-card.js";

/** What the demo API answers on `GET /api/profile`. */
interface Profile {
  message: string;
  user: string;
  session: string;
  issuer: string;
  issued_at: number;
  expires_at: number;
}

function isProfile(body: unknown): body is Profile {
  if (typeof body !== "object" || body === null) return false;
  const value = body as Record<string, unknown>;
  return typeof value.user === "string" && typeof value.expires_at === "number";
}

/**
 * The "Protected API" card. Logged in, the call goes through `auth.fetch` (token added, silent
 * refresh); logged out, it goes out without a token so the API's refusal is visible.
 *
 * @example
 * wireApiPanel(auth, "http://127.0.0.1:4000", log, (error) => console.warn(error));
 */
export function wireApiPanel(
  auth: TesseraClient,
  apiUrl: string,
  log: ActivityLog,
  onFailure: (error: unknown) => void,
): void {
  const button = byId("call-api", HTMLButtonElement);
  const card = resultCard("api");
  const show = (code: string, ok: boolean, detail: string, rows: Array<[string, string]>) =>
    card(code, ok, rows, detail);

  button.addEventListener("click", async () => {
    button.disabled = true;
    const url = `${apiUrl}/api/profile`;
    const started = performance.now();
    try {
      const res = auth.user === null ? await fetch(url) : await auth.fetch(url);
      const body: unknown = await res.json().catch(() => null);
      const took = `${Math.round(performance.now() - started)} ms`;
      if (res.ok && isProfile(body)) {
        show(`${res.status} OK`, true, took, [
          ["Message", body.message],
          ["User (sub)", body.user],
          ["Session (sid)", body.session],
          ["Token issued", clockTime(body.issued_at)],
          ["Token expires", clockTime(body.expires_at)],
        ]);
        log.add(`GET /api/profile → ${res.status}`, "ok");
      } else {
        const error =
          typeof body === "object" && body !== null ? (body as Record<string, unknown>).error : null;
        const code = typeof error === "string" ? error : "unexpected_response";
        show(`${res.status} ${code}`, false, took, [
          [
            "Why",
            auth.user === null ? "No access token was sent: log in first." : "The API refused the token.",
          ],
        ]);
        log.add(`GET /api/profile → ${res.status} ${code}`, "warn");
      }
    } catch (error) {
      // A 401 here comes from the refresh: the API refused the token and the session is gone.
      const ended = error instanceof TesseraClientError && error.status === 401;
      show(ended ? "Session ended" : "Not sent", false, "", [["Why", describeError(error)]]);
      onFailure(error);
      log.add(`GET /api/profile failed: ${describeError(error)}`, "error");
    } finally {
      button.disabled = false;
    }
  });
}
