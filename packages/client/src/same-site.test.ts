import { afterEach, describe, expect, it, vi } from "vitest";
import { createClient } from "./client.js";
import { crossSiteWarning } from "./same-site.js";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("crossSiteWarning", () => {
  it("warns a page on localhost configured with 127.0.0.1 (the refresh cookie would never be sent)", () => {
    const message = crossSiteWarning("http://127.0.0.1:3000", "http://localhost:5173/app");
    expect(message).toContain(
      "baseUrl http://127.0.0.1:3000 is not the same site as this page (http://localhost:5173)",
    );
    expect(message).toContain("http://localhost:3000");
  });

  it("is silent when page and server are the same site, whatever the ports", () => {
    expect(crossSiteWarning("http://localhost:3000", "http://localhost:5173/")).toBeNull();
    expect(crossSiteWarning("", "http://localhost:5173/")).toBeNull();
    expect(crossSiteWarning("/auth-prefix", "http://127.0.0.1:5173/")).toBeNull();
    expect(crossSiteWarning("http://127.0.0.1:3000", "http://127.0.0.1:5173/")).toBeNull();
    expect(crossSiteWarning("http://auth.dev.localhost:3000", "http://app.dev.localhost/")).toBeNull();
  });

  it("warns for another scheme (schemeful same-site) and says nothing outside development", () => {
    expect(crossSiteWarning("https://localhost:3000", "http://localhost:5173/")).not.toBeNull();
    expect(crossSiteWarning("https://auth.other.com", "https://app.example.com/")).toBeNull();
  });
});

describe("createClient", () => {
  it("prints the warning with console.warn, once per page", () => {
    vi.stubGlobal("location", { href: "http://localhost:5173/" });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const fetch = async () => new Response(null, { status: 401 });
    createClient({ baseUrl: "http://localhost:3000", fetch }).close();
    expect(warn).not.toHaveBeenCalled();
    createClient({ baseUrl: "http://127.0.0.1:3000", fetch }).close();
    createClient({ baseUrl: "http://127.0.0.1:3000", fetch }).close();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/^@tessera\/client: baseUrl http:\/\/127\.0\.0\.1:3000/);
  });
});
