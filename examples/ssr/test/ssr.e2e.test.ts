import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestHasher } from "@tessera/core/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, skipBrowserTests } from "../../spa/test/support/chromium.js";
import { type SsrExample, startSsrExample } from "../server/start.js";

const PASSWORD = "correct horse battery staple";
const COOKIE = "__Host-tessera_session";

describe.skipIf(skipBrowserTests())("SSR example in headless Chromium", () => {
  let example: SsrExample;
  let browser: Browser;
  /** A cross-site attacker's page (another site: `localhost`, not `127.0.0.1`). */
  let evil: Server;
  let evilUrl: string;
  let evilForm = "";
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [example, browser] = await Promise.all([
      startSsrExample({ password: PASSWORD, passwordHasher: createTestHasher() }),
      launchChromium(),
    ]);
    evil = createServer((_req, res) => {
      res.setHeader("content-type", "text/html");
      res.end(evilForm);
    });
    await new Promise<void>((resolve) => evil.listen(0, "localhost", () => resolve()));
    evilUrl = `http://localhost:${(evil.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await browser?.close();
    await example?.close();
    await new Promise((resolve) => evil?.close(resolve));
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  async function device(): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    return context.newPage();
  }

  async function signIn(page: Page, email: string, password = PASSWORD, remember = false): Promise<void> {
    await page.goto(`${example.url}/login`);
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', password);
    if (remember) await page.check('input[name="remember"]');
    await Promise.all([page.waitForURL(`${example.url}/account`), page.click("#sign-in")]);
  }

  const sessionCookieOf = async (page: Page) =>
    (await page.context().cookies(example.url)).find((c) => c.name === COOKIE);

  async function changePassword(page: Page, from: string, to: string): Promise<void> {
    await page.goto(`${example.url}/account`);
    await page.fill('input[name="currentPassword"]', from);
    await page.fill('input[name="newPassword"]', to);
    await Promise.all([page.waitForURL(`${example.url}/account`), page.click("#password-form button")]);
    expect(await page.locator("#error").count()).toBe(0);
  }

  it("signs in with a form, shows the user and the device list, guards the admin page, signs out", async () => {
    const page = await device();
    await signIn(page, "admin@example.com");
    expect(await page.textContent("#email")).toBe("admin@example.com");
    expect(await page.textContent("#roles")).toBe("admin");
    expect(await page.locator("#devices tr[data-session]").count()).toBe(1);
    const cookie = await sessionCookieOf(page);
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", path: "/", expires: -1 });
    expect(cookie?.value).toMatch(/^tss_/);
    // No script anywhere on the pages.
    expect(await page.locator("script").count()).toBe(0);

    const admin = await page.goto(`${example.url}/admin`);
    expect(admin?.status()).toBe(200);
    expect(await page.textContent("#users")).toContain("user@example.com");

    const other = await device();
    await signIn(other, "user@example.com");
    expect((await other.goto(`${example.url}/admin`))?.status()).toBe(403);

    await page.goto(`${example.url}/`);
    await Promise.all([page.waitForURL(`${example.url}/`), page.click("nav button")]);
    expect(await page.textContent("#who")).toContain("Not signed in");
    expect(await sessionCookieOf(page)).toBeUndefined();
    const guarded = await page.goto(`${example.url}/account`);
    expect(page.url()).toBe(`${example.url}/login?next=%2Faccount`);
    expect(guarded?.status()).toBe(200);
  });

  it("refuses a forged cross-site form post, which changes nothing", async () => {
    const page = await device();
    await signIn(page, "user@example.com");
    const before = await example.store.listActiveSessions(
      (await example.store.getUserByEmail("user@example.com"))?.id ?? "",
      Date.now(),
    );
    // The attacker cannot know the synchronizer token; it posts what it can.
    evilForm = `<form method="post" action="${example.url}/password">
      <input name="currentPassword" value="${PASSWORD}"><input name="newPassword" value="attacker chosen pass">
      <button id="go">win a prize</button></form>`;
    await page.goto(evilUrl);
    const [answer] = await Promise.all([page.waitForNavigation(), page.click("#go")]);
    expect(answer?.status()).toBe(403);
    expect(await page.textContent("body")).toContain("csrf_failed");

    // Still signed in with the same session, the password unchanged, no session added or ended.
    await page.goto(`${example.url}/account`);
    expect(await page.textContent("#email")).toBe("user@example.com");
    const userId = (await example.store.getUserByEmail("user@example.com"))?.id ?? "";
    expect((await example.store.listActiveSessions(userId, Date.now())).map((s) => s.id)).toEqual(
      before.map((s) => s.id),
    );
    const check = await device();
    await signIn(check, "user@example.com", PASSWORD);
  });

  it("signing out a device in one browser ends that session at its next request", async () => {
    const laptop = await device();
    const phone = await device();
    await signIn(laptop, "admin@example.com");
    await signIn(phone, "admin@example.com");
    const phoneId = (await sessionCookieOf(phone))?.value.slice(4, 40) ?? "";
    await laptop.goto(`${example.url}/account`);
    await Promise.all([
      laptop.waitForURL(`${example.url}/account`),
      laptop.click(`tr[data-session="${phoneId}"] button`),
    ]);
    expect(await laptop.locator(`tr[data-session="${phoneId}"]`).count()).toBe(0);

    await phone.goto(`${example.url}/account`);
    expect(phone.url()).toBe(`${example.url}/login?next=%2Faccount`);
    expect(await sessionCookieOf(phone)).toBeUndefined(); // cleared on the way
    // And a plain logout in the laptop ends the laptop's session for any copy of its cookie.
    const laptopCookie = await sessionCookieOf(laptop);
    await laptop.goto(`${example.url}/`);
    await Promise.all([laptop.waitForURL(`${example.url}/`), laptop.click("nav button")]);
    const copy = await device();
    await copy.context().addCookies([{ ...(laptopCookie as NonNullable<typeof laptopCookie>) }]);
    await copy.goto(`${example.url}/`);
    expect(await copy.textContent("#who")).toContain("Not signed in");
  });

  it("refuses a session cookie copied from before a password change", async () => {
    const page = await device();
    await signIn(page, "admin@example.com");
    const stolen = await sessionCookieOf(page);
    await changePassword(page, PASSWORD, "a fresh passphrase here");
    // The changer stays signed in, on a new session.
    expect(await page.textContent("#email")).toBe("admin@example.com");
    expect((await sessionCookieOf(page))?.value).not.toBe(stolen?.value);

    const thief = await device();
    await thief.context().addCookies([{ ...(stolen as NonNullable<typeof stolen>) }]);
    await thief.goto(`${example.url}/account`);
    expect(thief.url()).toBe(`${example.url}/login?next=%2Faccount`);
    // Put the password back for the other tests' sign-ins.
    await changePassword(page, "a fresh passphrase here", PASSWORD);
  });

  it("keeps 'Keep me signed in' over a password change; without it the new cookie ends with the browser", async () => {
    const kept = await device();
    await signIn(kept, "user@example.com", PASSWORD, true);
    const before = await sessionCookieOf(kept);
    // A persistent cookie: it expires with the session (30 days), not with the browser.
    expect(before?.expires).toBeGreaterThan(Date.now() / 1000 + 29 * 86_400);
    await changePassword(kept, PASSWORD, "a fresh passphrase here");
    const after = await sessionCookieOf(kept);
    expect(after?.value).not.toBe(before?.value);
    expect(after).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", path: "/" });
    expect(after?.expires).toBeGreaterThan(Date.now() / 1000 + 29 * 86_400);

    const plain = await device();
    await signIn(plain, "user@example.com", "a fresh passphrase here");
    expect((await sessionCookieOf(plain))?.expires).toBe(-1);
    await changePassword(plain, "a fresh passphrase here", PASSWORD);
    expect(await plain.textContent("#email")).toBe("user@example.com");
    expect((await sessionCookieOf(plain))?.expires).toBe(-1);
  });
});
