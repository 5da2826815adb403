import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { createTestHasher } from "@tessera/core/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DemoStack, startDemoStack } from "../server/stack.js";
import { launchChromium, skipBrowserTests } from "./support/chromium.js";
import {
  authView,
  callAdminApi,
  callApi,
  logIn,
  openDemo,
  scriptReadableStorage,
  waitForView,
} from "./support/demo-page.js";

const PASSWORD = "correct horse battery staple";
const ACCESS_TTL_MS = 2000;
const REFRESH_COOKIE = "__Secure-tessera_refresh";
// Written to the gitignored test-output/ at the repository root: the committed screenshot.png is
// refreshed by copying this file over it by hand, never by a test run.
const SCREENSHOT = fileURLToPath(new URL("../../../test-output/spa-screenshot.png", import.meta.url));
const IPHONE_UA =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) " +
  "Version/17.5 Mobile/15E148 Safari/604.1";

describe.skipIf(skipBrowserTests())("demo SPA in headless Chromium", () => {
  let stack: DemoStack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** `POST /auth/refresh` requests the auth server received. */
  let refreshes = 0;
  /** Per browser profile: reading the access and CSRF tokens out of each login and refresh answer. */
  const tokenReads = new Map<BrowserContext, Array<Promise<string[]>>>();
  let users = 0;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startDemoStack({
        env: {
          TESSERA_ACCESS_TOKEN_TTL: `${ACCESS_TTL_MS}ms`,
          // The theft test relies on this window: within it after a token's first use, GET
          // /auth/csrf still answers for the token, so the thief's page replays it. Longer than
          // the default 10 s so that a slow machine cannot push the replay outside it.
          TESSERA_REFRESH_GRACE: "30s",
          // Registrations share the failed-login budget per IP (10/15m by default), and every
          // account of this file registers from 127.0.0.1.
          TESSERA_RATE_LIMIT_LOGIN: "30/15m",
        },
        passwordHasher: createTestHasher(),
        logger: false,
        // An expired token really is refused by the API: refreshes cannot hide behind leeway.
        apiClockTolerance: 0,
        revocationPollMs: 60_000,
        beforeListen: (auth) => {
          auth.addHook("onRequest", async (request) => {
            if (request.method === "POST" && request.url === "/auth/refresh") refreshes++;
          });
        },
      }),
      launchChromium(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  /** A fresh browser profile (a "device") whose token-bearing answers are recorded in `secrets`. */
  async function newDevice(options: { userAgent?: string } = {}): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, ...options });
    contexts.push(context);
    const reads: Array<Promise<string[]>> = [];
    tokenReads.set(context, reads);
    context.on("response", (response) => {
      const path = new URL(response.url()).pathname;
      if (response.status() !== 200 || (path !== "/auth/login" && path !== "/auth/refresh")) return;
      reads.push(
        response
          .json()
          .then((body: { access_token: string; csrf_token: string }) => [body.access_token, body.csrf_token]),
      );
    });
    return context;
  }

  /** Every access token, CSRF token and refresh-cookie value `context` has received so far. */
  async function secretsOf(context: BrowserContext): Promise<string[]> {
    const tokens = (await Promise.all(tokenReads.get(context) ?? [])).flat();
    const cookie = await refreshCookie(context);
    return cookie ? [...tokens, cookie.value] : tokens;
  }

  async function refreshCookie(context: BrowserContext) {
    const cookies = await context.cookies(`${stack.authUrl}/auth/refresh`);
    return cookies.find((cookie) => cookie.name === REFRESH_COOKIE);
  }

  /** Registers a new account straight at the auth server; returns its e-mail. */
  async function registerUser(): Promise<string> {
    const email = `user${++users}@example.test`;
    const res = await fetch(`${stack.authUrl}/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(res.status).toBe(201);
    return email;
  }

  async function loggedInPage(context: BrowserContext, email: string): Promise<Page> {
    const page = await openDemo(context, stack.pageUrl);
    expect(await authView(page)).toBe("logged_out");
    await logIn(page, email, PASSWORD);
    return page;
  }

  /** Waits until a token issued now has certainly expired, at the API and in the SDK's reckoning. */
  const waitForExpiry = () => sleep(ACCESS_TTL_MS + 150);

  it("registers, logs in and calls the protected API from another origin", async () => {
    const context = await newDevice();
    const page = await openDemo(context, stack.pageUrl);
    expect(await authView(page)).toBe("logged_out");
    expect(new URL(stack.pageUrl).origin).not.toBe(new URL(stack.authUrl).origin);

    const email = `new${++users}@example.test`;
    await page.click("#tab-register");
    await page.fill("#register-form input[name=email]", email);
    await page.fill("#register-form input[name=password]", PASSWORD);
    await page.click("#register-form button[type=submit]");
    await waitForView(page, "authenticated");
    expect(await page.textContent("#user-email")).toBe(email);

    const outcome = await callApi(page);
    expect(outcome.status).toBe("200 OK");
    expect(outcome.fields["User (sub)"]).toBe(await page.textContent("#user-id"));
  });

  it("shows the roles; the admin-only API answers an admin, refuses a user, and a removed role takes effect without a logout", async () => {
    const adminEmail = await registerUser();
    await stack.setRoles(adminEmail, { add: ["admin"] });
    const admin = await loggedInPage(await newDevice(), adminEmail);
    expect(await admin.textContent("#user-roles")).toBe("Roles: admin");
    expect(await callAdminApi(admin)).toBe("200 OK");

    const user = await loggedInPage(await newDevice(), await registerUser());
    expect(await user.textContent("#user-roles")).toBe("Roles: none");
    expect(await callAdminApi(user)).toBe("403 insufficient_scope");
    expect((await callApi(user)).status).toBe("200 OK");

    // The downgrade: the API learns of it at its next feed poll (forced here), refuses the old
    // token with 401, the SDK refreshes silently and retries with a token that lacks the role.
    await stack.setRoles(adminEmail, { remove: ["admin"] });
    await stack.revocation.refresh();
    const before = refreshes;
    expect(await callAdminApi(admin)).toBe("403 insufficient_scope");
    expect(refreshes - before).toBe(1);
    expect(await authView(admin)).toBe("authenticated");
    expect(await admin.textContent("#user-roles")).toBe("Roles: none");
    expect((await callApi(admin)).status).toBe("200 OK");
  });

  it("shows a wrong password as an error and stays logged out", async () => {
    const email = await registerUser();
    const page = await openDemo(await newDevice(), stack.pageUrl);
    await page.fill("#login-form input[name=email]", email);
    await page.fill("#login-form input[name=password]", "not the password");
    await page.click("#login-form button[type=submit]");
    await page.waitForSelector("#account-error:not([hidden])");
    expect(await page.textContent("#account-error")).toContain("(invalid_credentials)");
    expect(await authView(page)).toBe("logged_out");
  });

  it("keeps every token out of document.cookie, storage and the page", async () => {
    const context = await newDevice();
    const page = await loggedInPage(context, await registerUser());
    expect((await callApi(page)).status).toBe("200 OK");

    const cookie = await refreshCookie(context);
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict", path: "/auth" });
    const secrets = await secretsOf(context);
    // The check below must have something to find: at least the login's two tokens and the cookie.
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    expect(secrets.every((secret) => secret.length >= 16)).toBe(true);

    const readable = await scriptReadableStorage(page);
    expect(readable.documentCookie).toBe("");
    expect(readable.localStorage).toBe("[]");
    expect(readable.sessionStorage).toBe("[]");
    expect(readable.indexedDB).toBe("[]");
    expect(readable.cacheStorage).toBe("[]");
    for (const [place, text] of Object.entries(readable)) {
      const found = secrets.filter((secret) => text.includes(secret));
      expect(found, `a token is readable from ${place}`).toEqual([]);
    }
  });

  it("stays logged in across a reload (restore from the refresh cookie)", async () => {
    const email = await registerUser();
    const page = await loggedInPage(await newDevice(), email);
    const before = refreshes;
    await page.reload();
    await waitForView(page, "authenticated");
    expect(await page.textContent("#user-email")).toBe(email);
    expect(refreshes - before).toBe(1);
    expect((await callApi(page)).status).toBe("200 OK");
  });

  it("keeps working across several expiries of a 2 s access token", async () => {
    const page = await loggedInPage(await newDevice(), await registerUser());
    const before = refreshes;
    const expiries = new Set<string>();
    for (let round = 0; round < 3; round++) {
      await waitForExpiry();
      const outcome = await callApi(page);
      expect(outcome.status).toBe("200 OK");
      expiries.add(outcome.fields["Token expires"] ?? "");
      expect(await authView(page)).toBe("authenticated");
    }
    expect(expiries.size).toBe(3);
    expect(refreshes - before).toBe(3);
  });

  it("two tabs whose tokens expire together send one refresh between them", async () => {
    const context = await newDevice();
    const tabA = await loggedInPage(context, await registerUser());
    const tabB = await openDemo(context, stack.pageUrl); // restores, and tab A adopts B's fresher token
    await waitForView(tabB, "authenticated");

    await waitForExpiry();
    const before = refreshes;
    const [a, b] = await Promise.all([callApi(tabA), callApi(tabB)]);
    expect([a.status, b.status]).toEqual(["200 OK", "200 OK"]);
    expect(refreshes - before).toBe(1);
    expect(a.fields["Token expires"]).toBe(b.fields["Token expires"]);
    expect([await authView(tabA), await authView(tabB)]).toEqual(["authenticated", "authenticated"]);
  });

  it("a logout in tab A ends in the logged-out state at tab B's next call", async () => {
    const context = await newDevice();
    const tabA = await loggedInPage(context, await registerUser());
    const tabB = await openDemo(context, stack.pageUrl);
    await waitForView(tabB, "authenticated");

    await tabA.click("#logout");
    await waitForView(tabA, "logged_out");
    await waitForView(tabB, "logged_out");
    const outcome = await callApi(tabB);
    expect(outcome.status).toBe("401 token_missing");
    expect(await authView(tabB)).toBe("logged_out");
    expect(await refreshCookie(context)).toBeUndefined();
  });

  it("a stolen, already-rotated refresh cookie replayed elsewhere revokes the session for both", async () => {
    const victim = await newDevice();
    const page = await loggedInPage(victim, await registerUser());
    const stolen = await refreshCookie(victim);
    if (!stolen) throw new Error("no refresh cookie after login");

    // The victim keeps using the app: two rotations, so even the stolen token's successor is used
    // and the grace window (which answers a racing tab with that same successor) cannot apply.
    for (let round = 0; round < 2; round++) {
      await waitForExpiry();
      expect((await callApi(page)).status).toBe("200 OK");
    }
    expect((await refreshCookie(victim))?.value).not.toBe(stolen.value);

    // The thief opens the app with the stolen cookie; its restore() replays it.
    const thief = await newDevice();
    await thief.addCookies([stolen]);
    const replay = thief.waitForEvent(
      "response",
      (res) => res.request().method() === "POST" && new URL(res.url()).pathname === "/auth/refresh",
    );
    const thiefPage = await openDemo(thief, stack.pageUrl);
    const answer = await replay;
    expect(answer.status()).toBe(401);
    expect(((await answer.json()) as { error?: string }).error).toBe("refresh_reused");
    expect(await authView(thiefPage)).toBe("logged_out");

    // The victim's next call: the API learns the revocation from the feed, the SDK's refresh fails.
    await stack.revocation.refresh();
    const outcome = await callApi(page);
    expect(outcome.status).toBe("Session ended");
    await waitForView(page, "session_expired");
    expect(await page.textContent("#expired-reason")).toMatch(/\((session_revoked|refresh_reused)\)/);
  });

  it("lists this user's devices, revokes one, and takes the screenshot", async () => {
    const email = await registerUser();
    const laptop = await loggedInPage(await newDevice(), email);
    const phone = await loggedInPage(await newDevice({ userAgent: IPHONE_UA }), email);

    await laptop.click("#reload-sessions");
    await laptop.waitForFunction(() => document.querySelectorAll("#session-list li").length === 2);
    expect(await laptop.textContent("#session-list li[data-current='true']")).toContain("This browser");
    expect(await laptop.textContent("#session-list li[data-current='false']")).toContain("Safari on iPhone");
    expect((await callApi(laptop)).status).toBe("200 OK");
    await laptop.screenshot({ path: SCREENSHOT, fullPage: true });

    await laptop.click("#session-list li[data-current='false'] button");
    await laptop.waitForFunction(() => document.querySelectorAll("#session-list li").length === 1);

    await stack.revocation.refresh();
    await callApi(phone);
    await waitForView(phone, "session_expired");
    expect(await authView(laptop)).toBe("authenticated");
  });

  it("log out everywhere ends the other device's session too", async () => {
    const email = await registerUser();
    const laptop = await loggedInPage(await newDevice(), email);
    const phone = await loggedInPage(await newDevice({ userAgent: IPHONE_UA }), email);

    await laptop.click("#logout-all");
    await waitForView(laptop, "logged_out");
    await stack.revocation.refresh();
    const outcome = await callApi(phone);
    expect(outcome.status).toBe("Session ended");
    await waitForView(phone, "session_expired");
  });
});
