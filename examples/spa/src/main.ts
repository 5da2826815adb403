import { type AuthState, createClient, TesseraClientError } from "@tessera/client";
import { wireAccountPanel } from "./account-panel.js";
import { createActivityLog } from "./activity-log.js";
import { wireAdminPanel } from "./admin-panel.js";
import { wireApiPanel } from "./api-panel.js";
import { readPageConfig } from "./config.js";
import { byId } from "./dom.js";
import { describeError } from "./errors.js";
import { wireRecoveryPanel } from "./recovery-panel.js";
import { wireSessionsPanel } from "./sessions-panel.js";

/** What the page shows; mirrored in `<body data-auth>` so CSS (and tests) can follow it. */
type PageState = "loading" | "logged_out" | "authenticated" | "session_expired";

const config = readPageConfig();
// Tokens stay inside this object; nothing is written to storage or readable cookies.
const auth = createClient({ baseUrl: config.authUrl });
const log = createActivityLog(byId("activity", HTMLOListElement));
const statusText = byId("status-text", HTMLSpanElement);
const expiredReason = byId("expired-reason", HTMLSpanElement);

function setState(state: PageState): void {
  document.body.dataset.auth = state;
  const user = auth.user;
  statusText.textContent =
    state === "authenticated" && user !== null
      ? `Logged in as ${user.email}`
      : state === "session_expired"
        ? "Session expired"
        : state === "logged_out"
          ? "Logged out"
          : "Checking your session…";
  if (state === "authenticated" && user !== null) {
    byId("user-email", HTMLDivElement).textContent = user.email;
    byId("user-id", HTMLDivElement).textContent = user.id;
    byId("avatar", HTMLDivElement).textContent = user.email.slice(0, 1).toUpperCase();
    showRoles();
    void sessions.load();
  } else {
    sessions.clear();
  }
}

/** The roles of the latest access token (they change on refresh when an administrator changes them). */
function showRoles(): void {
  const roles = auth.user?.roles ?? [];
  byId("user-roles", HTMLDivElement).textContent =
    roles.length === 0 ? "Roles: none" : `Roles: ${roles.join(", ")}`;
}

/** A call failed because the session died: say why in the banner. */
function explainEnd(error: unknown): void {
  if (error instanceof TesseraClientError && error.status === 401 && auth.user === null) {
    expiredReason.textContent = describeError(error);
  }
}

const sessions = wireSessionsPanel(auth, config.authUrl, log, () => auth.logout(), explainEnd);
wireAccountPanel(auth, log);
wireApiPanel(auth, config.apiUrl, log, explainEnd);
wireAdminPanel(auth, config.apiUrl, log, explainEnd);
await wireRecoveryPanel(auth, log);

let restoring = true;
auth.on("change", (change: AuthState) => {
  switch (change) {
    case "authenticated":
      log.add(
        restoring ? "Session restored from the refresh cookie" : `Logged in as ${auth.user?.email}`,
        "ok",
      );
      setState("authenticated");
      break;
    case "refreshed":
      log.add("Access token refreshed silently", "info");
      if (document.body.dataset.auth !== "authenticated") setState("authenticated");
      else showRoles();
      break;
    case "logged_out":
      log.add("Logged out", "info");
      setState("logged_out");
      break;
    case "session_expired":
      expiredReason.textContent = "Please log in again.";
      log.add("The session ended at the server", "warn");
      setState("session_expired");
      break;
  }
});

try {
  await auth.restore();
} catch (error) {
  log.add(`Could not check for a session: ${describeError(error)}`, "error");
}
restoring = false;
if (auth.user === null) {
  log.add("No session in this browser yet", "info");
  setState("logged_out");
}
