import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPageBundle } from "../server/page-bundle.js";
import { type PageServer, startPageServer } from "../server/page-server.js";

describe("page server", () => {
  let page: PageServer;

  beforeAll(async () => {
    page = await startPageServer(await buildPageBundle(), { host: "127.0.0.1", port: 0 });
  });

  afterAll(async () => {
    await page?.close();
  });

  it("answers 503 until it knows where the auth server and the API are", async () => {
    const fresh = await startPageServer(await buildPageBundle(), { host: "127.0.0.1", port: 0 });
    try {
      expect((await fetch(`${fresh.origin}/`)).status).toBe(503);
    } finally {
      await fresh.close();
    }
  });

  it("serves the page with its endpoints and a CSP that allows only them", async () => {
    page.setEndpoints({ authUrl: "http://127.0.0.1:3000", apiUrl: "http://127.0.0.1:4000" });
    const res = await fetch(`${page.origin}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<meta name="tessera-auth-url" content="http://127.0.0.1:3000" />');
    expect(html).toContain('<meta name="tessera-api-url" content="http://127.0.0.1:4000" />');
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("connect-src http://127.0.0.1:3000 http://127.0.0.1:4000;");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain("unsafe");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("escapes the endpoints it writes into the page", async () => {
    page.setEndpoints({ authUrl: 'http://127.0.0.1:3000/"><script>', apiUrl: "http://127.0.0.1:4000" });
    const html = await (await fetch(`${page.origin}/`)).text();
    expect(html).not.toContain('"><script>');
    expect(html).toContain("&quot;&gt;&lt;script&gt;");
  });

  it("serves the bundle and nothing else", async () => {
    page.setEndpoints({ authUrl: "http://127.0.0.1:3000", apiUrl: "http://127.0.0.1:4000" });
    const script = await fetch(`${page.origin}/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain("tessera");
    expect((await fetch(`${page.origin}/styles.css`)).headers.get("content-type")).toMatch(/^text\/css/);
    expect((await fetch(`${page.origin}/server/stack.ts`)).status).toBe(404);
    expect((await fetch(`${page.origin}/../package.json`)).status).toBe(404);
    expect((await fetch(`${page.origin}/`, { method: "POST" })).status).toBe(405);
  });
});
