import { describe, expect, it } from "vitest";
import { parseSetCookie } from "../lib/cookies.js";
import { judgeLifetime } from "./access-token.js";
import { judgeRefreshCookie } from "./cookie.js";
import { looksLikeStack } from "./malformed.js";
import { retryAfterSeconds } from "./rate-limit.js";

const NOW = Date.parse("2026-01-01T00:00:00Z");

describe("judgeRefreshCookie", () => {
  it("passes the contract's cookie", () => {
    const v = judgeRefreshCookie(
      parseSetCookie(
        "__Secure-tessera_refresh=abc; Path=/auth; HttpOnly; Secure; SameSite=Strict; Max-Age=604800",
      ),
      NOW,
    );
    expect(Object.values(v).map((f) => f.status)).toEqual(["pass", "pass", "pass", "pass", "pass", "pass"]);
  });

  it("accepts Path=/ only for a __Host- cookie, which requires it", () => {
    const host = judgeRefreshCookie(
      parseSetCookie("__Host-r=abc; Path=/; HttpOnly; Secure; SameSite=Strict"),
      NOW,
    );
    expect(host["cookie.path"].status).toBe("pass");
    const secure = judgeRefreshCookie(
      parseSetCookie("__Secure-r=abc; Path=/; HttpOnly; Secure; SameSite=Strict"),
      NOW,
    );
    expect(secure["cookie.path"].status).toBe("warn");
  });

  it("reads lifetime from Expires when Max-Age is absent, Max-Age first otherwise", () => {
    const far = judgeRefreshCookie(
      parseSetCookie("__Secure-r=a; Expires=Wed, 01 Jan 2036 00:00:00 GMT; Secure"),
      NOW,
    );
    expect(far["cookie.lifetime"].status).toBe("fail");
    const both = judgeRefreshCookie(
      parseSetCookie("__Secure-r=a; Expires=Wed, 01 Jan 2036 00:00:00 GMT; Max-Age=3600"),
      NOW,
    );
    expect(both["cookie.lifetime"].status).toBe("pass");
  });

  it("parses attributes case-insensitively", () => {
    const v = judgeRefreshCookie(
      parseSetCookie("__Secure-r=a=b; path=/auth; httponly; SECURE; samesite=strict"),
      NOW,
    );
    expect(Object.values(v).every((f) => f.status === "pass")).toBe(true);
  });
});

describe("small judges", () => {
  it("grades access-token lifetimes at 1 h and 24 h", () => {
    expect(judgeLifetime(3600).status).toBe("pass");
    expect(judgeLifetime(3601).status).toBe("warn");
    expect(judgeLifetime(86_401).status).toBe("fail");
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    expect(retryAfterSeconds("120", NOW)).toBe(120);
    expect(retryAfterSeconds("Thu, 01 Jan 2026 00:01:00 GMT", NOW)).toBe(60);
    expect(retryAfterSeconds("soon", NOW)).toBeUndefined();
    expect(retryAfterSeconds(null, NOW)).toBeUndefined();
  });

  it("spots stack traces and source paths, not ordinary messages", () => {
    expect(
      looksLikeStack(
        "SyntaxError: Unexpected end\n    at JSON.parse (<anonymous>)\n    at handler (/app/x.js:10:5)",
      ),
    ).toBe(true);
    expect(looksLikeStack('{"error":"x","stack":"..."}')).toBe(true);
    expect(looksLikeStack("Error in /srv/node_modules/fastify/lib/x")).toBe(true);
    expect(
      looksLikeStack('{"error":"invalid_request","message":"Body is not valid JSON at position 12"}'),
    ).toBe(false);
  });
});
