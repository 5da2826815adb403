import type { TesseraClient } from "@tessera/client";
import type { ActivityLog } from "./activity-log.js";
import { byId } from "./dom.js";
import { describeError } from "./errors.js";
import { resultCard } from "./result-card.js";

/**
 * The "Admin-only API" card: `GET /api/admin` through `auth.fetch`, which the demo API answers
 * only for tokens holding the `admin` role (403 `insufficient_scope` otherwise).
 *
 * @example
 * wireAdminPanel(auth, "http://127.0.0.1:4000", log, (error) => console.warn(error));
 */
export function wireAdminPanel(
  auth: TesseraClient,
  apiUrl: string,
  log: ActivityLog,
  onFailure: (error: unknown) => void,
): void {
  const button = byId("call-admin", HTMLButtonElement);
  const show = resultCard("admin");

  button.addEventListener("click", async () => {
    button.disabled = true;
    const url = `${apiUrl}/api/admin`;
    try {
      const res = auth.user === null ? await fetch(url) : await auth.fetch(url);
      const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
      if (res.ok && body !== null) {
        show(`${res.status} OK`, true, [
          ["Message", String(body.message)],
          ["Roles", Array.isArray(body.roles) ? body.roles.join(", ") : ""],
          ["Scope", String(body.scope ?? "")],
        ]);
        log.add(`GET /api/admin → ${res.status}`, "ok");
      } else {
        const code = typeof body?.error === "string" ? body.error : "unexpected_response";
        const why =
          res.status === 403 ? "Your token does not carry the admin role." : "The API refused the request.";
        show(`${res.status} ${code}`, false, [["Why", why]]);
        log.add(`GET /api/admin → ${res.status} ${code}`, "warn");
      }
    } catch (error) {
      show("Not sent", false, [["Why", describeError(error)]]);
      onFailure(error);
      log.add(`GET /api/admin failed: ${describeError(error)}`, "error");
    } finally {
      button.disabled = false;
    }
  });
}
