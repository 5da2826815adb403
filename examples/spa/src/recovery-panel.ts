import type { TesseraClient } from "@tessera/client";
import type { ActivityLog } from "./activity-log.js";
import { byId, showError } from "./dom.js";
import { describeError } from "./errors.js";

/**
 * Account recovery views: "forgot password" (asks for a reset mail) and, on `/reset-password`
 * (the mail's link, token in the fragment), "choose a new password"; `/verify-email` confirms the
 * address at once. The SDK reads the token from the fragment and clears it.
 *
 * @example
 * await wireRecoveryPanel(auth, log);
 */
export async function wireRecoveryPanel(auth: TesseraClient, log: ActivityLog): Promise<void> {
  const errorSlot = byId("account-error", HTMLParagraphElement);
  const note = byId("recovery-note", HTMLParagraphElement);
  const forgotForm = byId("forgot-form", HTMLFormElement);
  const resetForm = byId("reset-form", HTMLFormElement);
  const loginForm = byId("login-form", HTMLFormElement);

  const say = (text: string) => {
    note.hidden = false;
    note.textContent = text;
  };
  const backToStart = () => history.replaceState(null, "", "/");

  byId("show-forgot", HTMLButtonElement).addEventListener("click", () => {
    forgotForm.hidden = !forgotForm.hidden;
  });

  forgotForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = String(new FormData(forgotForm).get("email") ?? "").trim();
    showError(errorSlot, null);
    try {
      await auth.forgotPassword(email);
      forgotForm.hidden = true;
      say("If an account exists for this address, a reset link is on its way.");
      log.add("Password reset requested", "info");
    } catch (error) {
      showError(errorSlot, describeError(error));
    }
  });

  resetForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const password = String(new FormData(resetForm).get("password") ?? "");
    showError(errorSlot, null);
    try {
      await auth.resetPassword(password);
      resetForm.hidden = true;
      loginForm.hidden = false;
      backToStart();
      say("Your password was changed. Log in with the new one.");
      log.add("Password reset; every session ended", "ok");
    } catch (error) {
      showError(errorSlot, describeError(error));
    }
  });

  if (location.pathname === "/reset-password") {
    resetForm.hidden = false;
    loginForm.hidden = true;
  } else if (location.pathname === "/verify-email") {
    try {
      await auth.verifyEmail();
      say("Your e-mail address is confirmed.");
      log.add("E-mail address verified", "ok");
    } catch (error) {
      showError(errorSlot, describeError(error));
    }
    backToStart();
  }
}
