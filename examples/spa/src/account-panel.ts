import type { TesseraClient } from "@tessera/client";
import type { ActivityLog } from "./activity-log.js";
import { byId, showError } from "./dom.js";
import { describeError } from "./errors.js";

/**
 * The "Account" card: log-in and registration forms, log out, log out everywhere. State changes
 * themselves arrive through `auth.on("change")`; this only reports failures.
 *
 * @example
 * wireAccountPanel(auth, log);
 */
export function wireAccountPanel(auth: TesseraClient, log: ActivityLog): void {
  const errorSlot = byId("account-error", HTMLParagraphElement);
  const loginForm = byId("login-form", HTMLFormElement);
  const registerForm = byId("register-form", HTMLFormElement);
  const loginTab = byId("tab-login", HTMLButtonElement);
  const registerTab = byId("tab-register", HTMLButtonElement);

  function selectTab(register: boolean): void {
    loginTab.setAttribute("aria-selected", String(!register));
    registerTab.setAttribute("aria-selected", String(register));
    loginForm.hidden = register;
    registerForm.hidden = !register;
    showError(errorSlot, null);
  }
  loginTab.addEventListener("click", () => selectTab(false));
  registerTab.addEventListener("click", () => selectTab(true));

  /** Runs a form's action with its submit button disabled; shows the failure in the card. */
  function onSubmit(form: HTMLFormElement, action: (email: string, password: string) => Promise<void>): void {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const email = String(data.get("email") ?? "").trim();
      const password = String(data.get("password") ?? "");
      const submit = form.querySelector("button[type=submit]");
      if (submit instanceof HTMLButtonElement) submit.disabled = true;
      showError(errorSlot, null);
      try {
        await action(email, password);
        form.reset();
      } catch (error) {
        showError(errorSlot, describeError(error));
        log.add(describeError(error), "error");
      } finally {
        if (submit instanceof HTMLButtonElement) submit.disabled = false;
      }
    });
  }

  onSubmit(loginForm, async (email, password) => {
    await auth.login(email, password);
  });
  onSubmit(registerForm, async (email, password) => {
    await auth.register(email, password);
    log.add(`Account created for ${email}`, "ok");
    await auth.login(email, password);
    selectTab(false);
  });

  /** Buttons whose action ends the session: the state change itself arrives as an event. */
  function onClick(id: string, action: () => Promise<void>): void {
    const button = byId(id, HTMLButtonElement);
    button.addEventListener("click", async () => {
      button.disabled = true;
      showError(errorSlot, null);
      try {
        await action();
      } catch (error) {
        showError(errorSlot, describeError(error));
        log.add(describeError(error), "error");
      } finally {
        button.disabled = false;
      }
    });
  }
  onClick("logout", () => auth.logout());
  onClick("logout-all", async () => {
    await auth.logoutAll();
    log.add("Every session of this account was ended", "ok");
  });
}
