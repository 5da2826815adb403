import { type TesseraClient, TesseraClientError } from "@tessera/client";
import type { ActivityLog } from "./activity-log.js";
import { byId, el, showError } from "./dom.js";
import { describeError } from "./errors.js";
import { describeUserAgent, timeAgo } from "./format.js";

/** One row of `GET /auth/sessions`. */
interface SessionRow {
  id: string;
  created_at: string;
  last_used_at: string;
  user_agent: string | null;
  ip: string | null;
  last_user_agent?: string | null;
  last_ip?: string | null;
  current: boolean;
}

function isSessionRow(value: unknown): value is SessionRow {
  if (typeof value !== "object" || value === null) return false;
  const row = value as Record<string, unknown>;
  return typeof row.id === "string" && typeof row.created_at === "string" && typeof row.current === "boolean";
}

/**
 * The "Your sessions" card: `GET /auth/sessions`, and revoking another device with
 * `DELETE /auth/sessions/:id`. This browser's own row offers a logout instead.
 *
 * @example
 * const sessions = wireSessionsPanel(auth, authUrl, log, () => auth.logout(), console.warn);
 * await sessions.load();
 */
export interface SessionsPanel {
  load(): Promise<void>;
  clear(): void;
}

/**
 * Wires the sessions card; `logoutHere` ends this browser's session.
 *
 * @example
 * const sessions = wireSessionsPanel(auth, "http://127.0.0.1:3000", log, logout, console.warn);
 */
export function wireSessionsPanel(
  auth: TesseraClient,
  authUrl: string,
  log: ActivityLog,
  logoutHere: () => Promise<void>,
  onFailure: (error: unknown) => void,
): SessionsPanel {
  const list = byId("session-list", HTMLUListElement);
  const errorSlot = byId("sessions-error", HTMLParagraphElement);

  function row(session: SessionRow): HTMLLIElement {
    const userAgent = session.last_user_agent ?? session.user_agent;
    const ip = session.last_ip ?? session.ip ?? "unknown IP";
    const now = Date.now();
    const title = el("div", {
      className: "device",
      text: describeUserAgent(userAgent),
      title: userAgent ?? "",
    });
    if (session.current) title.append(el("span", { className: "badge", text: "This browser" }));
    const meta = el("div", {
      className: "meta",
      text: `${ip} · signed in ${timeAgo(session.created_at, now)} · active ${timeAgo(session.last_used_at, now)}`,
    });
    const button = el("button", { className: session.current ? "ghost" : "ghost danger" });
    button.type = "button";
    button.textContent = session.current ? "Log out" : "Revoke";
    button.setAttribute("aria-label", `${button.textContent} ${describeUserAgent(userAgent)} session`);
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await (session.current ? logoutHere() : revoke(session));
      } catch (error) {
        showError(errorSlot, describeError(error));
      } finally {
        button.disabled = false;
      }
    });
    const item = el("li", {}, el("div", { className: "session-text" }, title, meta), button);
    item.dataset.current = String(session.current);
    return item;
  }

  async function revoke(session: SessionRow): Promise<void> {
    try {
      const res = await auth.fetch(`${authUrl}/auth/sessions/${encodeURIComponent(session.id)}`, {
        method: "DELETE",
      });
      if (res.status !== 204 && res.status !== 404) throw await unexpected(res);
      log.add(`Revoked the session of ${describeUserAgent(session.user_agent)}`, "ok");
      await load();
    } catch (error) {
      showError(errorSlot, describeError(error));
      onFailure(error);
    }
  }

  async function load(): Promise<void> {
    if (auth.user === null) return clear();
    try {
      const res = await auth.fetch(`${authUrl}/auth/sessions`);
      if (!res.ok) throw await unexpected(res);
      const body: unknown = await res.json();
      const rows = (body as { sessions?: unknown }).sessions;
      const sessions = Array.isArray(rows) ? rows.filter(isSessionRow) : [];
      // This browser first, then the most recently active.
      sessions.sort(
        (a, b) => Number(b.current) - Number(a.current) || b.last_used_at.localeCompare(a.last_used_at),
      );
      list.replaceChildren(...sessions.map(row));
      showError(errorSlot, null);
    } catch (error) {
      showError(errorSlot, describeError(error));
      onFailure(error);
    }
  }

  function clear(): void {
    list.replaceChildren();
    showError(errorSlot, null);
  }

  const reload = byId("reload-sessions", HTMLButtonElement);
  reload.addEventListener("click", async () => {
    reload.disabled = true;
    await load();
    reload.disabled = false;
  });

  return { load, clear };
}

/** The server's `{error}` code of a failed answer, as the SDK's error type. */
async function unexpected(res: Response): Promise<TesseraClientError> {
  const body: unknown = await res.json().catch(() => null);
  const code = (body as { error?: unknown } | null)?.error;
  return new TesseraClientError(typeof code === "string" ? code : "invalid_response", res.status);
}
