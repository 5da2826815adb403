import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { protectedRoute, SESSION_SETTINGS, seedServerSessions, sessionBench } from "./session-bench.js";

// The server-session bench in its tiny mode: the JSON it adds to latest.json has its shape, every
// protected request was answered 2xx with a seeded cookie, and the protected route it measures
// really refuses a request without a live session. No timing is asserted. The server process
// runs the built packages (dist/), as the bench does: `npm test` builds first.

const dir = mkdtempSync(join(tmpdir(), "tessera-session-bench-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const unpinned = { serverCpus: undefined, loadCpus: undefined };

describe("session bench", () => {
  it("writes every server_sessions field, measured on a route that refused a request without a cookie", async () => {
    const figure = await sessionBench(join(dir, "a"), SESSION_SETTINGS.tiny, unpinned);
    expect(Object.keys(figure).sort()).toEqual(
      [
        "failed_requests",
        "protected_cpu_us_per_request",
        "protected_p99_ms",
        "protected_rps",
        "ratio",
        "raw_select_cpu_us",
        "raw_select_us",
        "round_ratios",
        "sampled_sessions",
        "sessions",
        "status_without_cookie",
        "unprotected_cpu_us_per_request",
        "unprotected_p99_ms",
        "unprotected_rps",
        "validate_cpu_us",
        "validate_us",
      ].sort(),
    );
    expect(figure.status_without_cookie).toBe(401);
    expect(figure.failed_requests).toBe(0);
    expect(figure.sessions).toBe(SESSION_SETTINGS.tiny.sessions);
    expect(figure.sampled_sessions).toBe(SESSION_SETTINGS.tiny.sample);
    expect(figure.round_ratios.length).toBeLessThanOrEqual(SESSION_SETTINGS.tiny.http.rounds);
    for (const key of ["protected_rps", "unprotected_rps", "validate_us", "raw_select_us"] as const) {
      expect(figure[key]).toBeGreaterThan(0);
    }
  }, 120_000);

  it("refuses to measure when the cookies do not open sessions (the protected route answers 401)", async () => {
    const seeded = await seedServerSessions(join(dir, "b"), 20, 10);
    const forged = { ...seeded, cookies: seeded.cookies.map((cookie) => `${cookie.slice(0, -4)}AAAA`) };
    await expect(protectedRoute(forged, SESSION_SETTINGS.tiny.http, unpinned)).rejects.toThrow(
      "protected route: 401 without a cookie, 401 with one",
    );
  }, 60_000);
});
