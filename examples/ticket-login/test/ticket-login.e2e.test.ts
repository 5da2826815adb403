import { createTestHasher } from "@tessera/core/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAuthServer, startAuthServer } from "../../spa/server/auth-server.js";
import { launchChromium, skipBrowserTests } from "../../spa/test/support/chromium.js";
import { type Backend, startBackend } from "../server/backend.js";

const ADMIN = { id: "backend", secret: "example-admin-secret-Vq7Lp2Xz9Kd4Rt8Mw3" };

describe.skipIf(skipBrowserTests())("login by ticket in headless Chromium", () => {
  let backend: Backend;
  let auth: RunningAuthServer;
  let browser: Browser;
  const tickets: string[] = [];

  beforeAll(async () => {
    [backend, browser] = await Promise.all([
      startBackend({ onTicket: (ticket) => tickets.push(ticket) }),
      launchChromium(),
    ]);
    auth = await startAuthServer({
      host: "127.0.0.1",
      port: 0,
      env: {
        TESSERA_ALLOWED_ORIGINS: backend.url,
        TESSERA_ADMIN_SECRETS: `${ADMIN.id}:${ADMIN.secret}`,
        TESSERA_RATE_LIMIT_IP: "off",
      },
      passwordHasher: createTestHasher(),
      logger: false,
    });
    backend.tessera = { url: auth.url, ...ADMIN };
  });

  afterAll(async () => {
    await browser?.close();
    await auth?.close();
    await backend?.close();
  });

  it("the backend's own login becomes a Tessera session that behaves as after a password login", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const urls: string[] = [];
    page.on("request", (request) => urls.push(request.url()));

    await page.goto(backend.url);
    await page.fill("input[name=email]", "ada@example.test");
    await page.click("button");
    await page.click("#inbox-link");
    await page.waitForFunction(() => document.getElementById("status")?.textContent?.startsWith("Signed in"));
    expect(await page.textContent("#status")).toBe("Signed in as ada@example.test");
    expect(JSON.parse((await page.textContent("#me")) ?? "null")).toMatchObject({
      email: "ada@example.test",
    });
    // The ticket left the address bar, and it never travelled in a query string.
    expect(new URL(page.url()).hash).toBe("");
    expect(tickets).toHaveLength(1);
    const [ticket] = tickets as [string];
    expect(urls.some((url) => url.includes(ticket))).toBe(false);
    // The refresh cookie is set as at a password login: a reload restores the session from it.
    const cookies = await context.cookies(`${auth.url}/auth/refresh`);
    expect(cookies.find((c) => c.name === "__Secure-tessera_refresh")).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: "Strict",
    });
    await page.reload();
    await page.waitForFunction(() => document.getElementById("status")?.textContent?.startsWith("Session"));
    expect(await page.textContent("#status")).toBe("Session restored as ada@example.test");

    // The ticket was single-use.
    const again = await fetch(`${auth.url}/auth/login/ticket`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ticket }),
    });
    expect(again.status).toBe(401);
    await context.close();
  });

  it("a used ticket in the link is refused in the page", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${backend.url}/app#ticket=${tickets[0]}`);
    await page.waitForFunction(() =>
      document.getElementById("status")?.textContent?.startsWith("Sign-in failed"),
    );
    expect(await page.textContent("#status")).toBe("Sign-in failed: invalid_ticket");
    await context.close();
  });
});
