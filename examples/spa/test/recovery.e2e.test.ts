import { createTestHasher } from "@tessera/core/testing";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type SmtpSink,
  startSmtpSink,
  tokenFromMail,
} from "../../../packages/server/src/test-support/smtp-sink.js";
import { type DemoStack, startDemoStack } from "../server/stack.js";
import { launchChromium, skipBrowserTests } from "./support/chromium.js";
import { authView, logIn, openDemo, waitForView } from "./support/demo-page.js";

const OLD_PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "a fresh passphrase for the demo";

describe.skipIf(skipBrowserTests())("password reset in the demo SPA (headless Chromium, real SMTP)", () => {
  let sink: SmtpSink;
  let stack: DemoStack;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    sink = await startSmtpSink();
    [stack, browser] = await Promise.all([
      startDemoStack({
        env: { TESSERA_SMTP_URL: sink.url, TESSERA_EMAIL_VERIFICATION: "off" },
        passwordHasher: createTestHasher(),
        logger: false,
      }),
      launchChromium(),
    ]);
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
    await sink?.close();
  });

  it("forgot → mail → reset page → log in with the new password", async () => {
    const email = "forgetful@example.test";
    const reg = await fetch(`${stack.authUrl}/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: OLD_PASSWORD }),
    });
    expect(reg.status).toBe(201);

    const page = await openDemo(context, stack.pageUrl);
    expect(await authView(page)).toBe("logged_out");
    await page.click("#show-forgot");
    await page.fill("#forgot-form input[name=email]", email);
    await page.click("#forgot-form button[type=submit]");
    await page.waitForSelector("#recovery-note:not([hidden])");

    const mail = await sink.waitFor((m) => m.to.includes(email));
    const { link, token } = tokenFromMail(mail);
    expect(link.startsWith(`${new URL(stack.pageUrl).origin}/reset-password#token=`)).toBe(true);

    // The mail's link: the SDK reads the token from the fragment and clears it.
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    await page.goto(link);
    await page.waitForSelector("#reset-form:not([hidden])");
    await page.fill("#reset-form input[name=password]", NEW_PASSWORD);
    await page.click("#reset-form button[type=submit]");
    await page.waitForSelector("#login-form:not([hidden])");
    expect(await page.textContent("#recovery-note")).toContain("password was changed");
    expect(new URL(page.url()).pathname).toBe("/");
    expect(new URL(page.url()).hash).toBe("");
    // The token went only in the reset request's body, never in a URL.
    expect(requests.filter((url) => url.includes(token))).toEqual([]);

    await page.fill("#login-form input[name=email]", email);
    await page.fill("#login-form input[name=password]", OLD_PASSWORD);
    await page.click("#login-form button[type=submit]");
    await page.waitForSelector("#account-error:not([hidden])");
    expect(await authView(page)).toBe("logged_out");

    await logIn(page, email, NEW_PASSWORD);
    await waitForView(page, "authenticated");
    expect(await page.textContent("#user-email")).toBe(email);
  });
});
