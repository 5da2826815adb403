import { describe, expect, it } from "vitest";
import { serveBanner } from "./serve-banner.js";

const base = { host: "127.0.0.1", tls: null, issuer: "http://localhost:3000", allowedOrigins: [] };

describe("serveBanner", () => {
  it("names a loopback bind localhost, like the default issuer (same site for a page on localhost)", () => {
    expect(serveBanner(base, 3000)).toEqual([
      "tessera listening on http://localhost:3000",
      "  issuer: http://localhost:3000",
      "  allowed origins: none besides the server's own (set TESSERA_ALLOWED_ORIGINS=http://localhost:5173,… for browser apps)",
    ]);
    expect(serveBanner({ ...base, host: "::1" }, 3000)[0]).toBe("tessera listening on http://localhost:3000");
  });

  it("prints other addresses as bound, and the configured issuer and origins", () => {
    const lines = serveBanner(
      {
        host: "::",
        tls: { certPath: "c", keyPath: "k" },
        issuer: "https://auth.example.com",
        allowedOrigins: ["https://app.example.com", "https://admin.example.com"],
      },
      8443,
    );
    expect(lines).toEqual([
      "tessera listening on https://[::]:8443",
      "  issuer: https://auth.example.com",
      "  allowed origins: https://app.example.com, https://admin.example.com",
    ]);
  });
});
