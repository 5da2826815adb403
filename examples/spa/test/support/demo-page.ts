import type { BrowserContext, Page } from "playwright-core";

/** The page's states, as `<body data-auth>` shows them. */
export type AuthView = "loading" | "logged_out" | "authenticated" | "session_expired";

/** Opens the demo page in a new tab of `context` and waits until it decided whether a session exists. */
export async function openDemo(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector("body:not([data-auth='loading'])", { timeout: 15_000 });
  return page;
}

/** The state the page shows. */
export async function authView(page: Page): Promise<string | null> {
  return page.getAttribute("body", "data-auth");
}

/** Waits until the page shows `view`. */
export async function waitForView(page: Page, view: AuthView, timeout = 10_000): Promise<void> {
  await page.waitForSelector(`body[data-auth='${view}']`, { timeout });
}

/** Logs in through the form and waits for the logged-in state. */
export async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.fill("#login-form input[name=email]", email);
  await page.fill("#login-form input[name=password]", password);
  await page.click("#login-form button[type=submit]");
  await waitForView(page, "authenticated");
}

/** What the "Protected API" card shows after a call: the status line and the field rows. */
export interface ApiOutcome {
  status: string;
  fields: Record<string, string>;
}

/** Clicks "Call the API" and waits for the call to finish. */
export async function callApi(page: Page): Promise<ApiOutcome> {
  await page.click("#call-api");
  await page.waitForFunction(
    () => (document.getElementById("call-api") as HTMLButtonElement).disabled === false,
  );
  return readApiOutcome(page);
}

/** The "Protected API" card's current result. */
export async function readApiOutcome(page: Page): Promise<ApiOutcome> {
  return page.evaluate(() => {
    const fields: Record<string, string> = {};
    const names = [...document.querySelectorAll("#api-fields dt")];
    const values = [...document.querySelectorAll("#api-fields dd")];
    names.forEach((name, i) => {
      fields[name.textContent ?? ""] = values[i]?.textContent ?? "";
    });
    return { status: document.getElementById("api-status")?.textContent ?? "", fields };
  });
}

/** Everything a script on the page can read back from storage, as one string per place. */
export async function scriptReadableStorage(page: Page): Promise<Record<string, string>> {
  return page.evaluate(async () => {
    const dump = (storage: Storage) => JSON.stringify(Object.entries({ ...storage }));
    const databases = await indexedDB.databases();
    const caches = "caches" in globalThis ? await globalThis.caches.keys() : [];
    return {
      documentCookie: document.cookie,
      localStorage: dump(localStorage),
      sessionStorage: dump(sessionStorage),
      indexedDB: JSON.stringify(databases),
      cacheStorage: JSON.stringify(caches),
      html: document.documentElement.outerHTML,
    };
  });
}

/** Clicks "Call the admin API" and waits for the call to finish; the status line it shows. */
export async function callAdminApi(page: Page): Promise<string> {
  await page.click("#call-admin");
  await page.waitForFunction(
    () => (document.getElementById("call-admin") as HTMLButtonElement).disabled === false,
  );
  return (await page.textContent("#admin-status")) ?? "";
}
