import { afterEach, describe, expect, it } from "vitest";
import { formatReport } from "./format.js";
import { runDoctor } from "./run.js";
import { FAKE_ALLOWED_ORIGIN, type FakeTessera, startFakeTessera } from "./testing/fake-tessera.js";
import type { DoctorReport } from "./types.js";

let server: FakeTessera | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function statuses(report: DoctorReport): Record<string, string> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
}

function expectNoSecrets(report: DoctorReport, secrets: readonly string[]): void {
  const text = `${JSON.stringify(report)}\n${formatReport(report)}`;
  for (const secret of secrets) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
}

describe("runDoctor against a well-behaved deployment", () => {
  it("passes every check with a throwaway account, and deletes that account afterwards", async () => {
    server = await startFakeTessera();
    const report = await runDoctor({ baseUrl: server.url, origin: FAKE_ALLOWED_ORIGIN });
    const notPassing = report.checks.filter((c) => c.status !== "pass" && c.id !== "transport.hsts");
    expect(notPassing).toEqual([]);
    expect(statuses(report)["transport.hsts"]).toBe("skip");
    expect(report.ok).toBe(true);
    expect(report.account.mode).toBe("registered");
    expect(report.account.email).toMatch(/^doctor\+[0-9a-f]{12}@example\.invalid$/);
    expect(report.account.cleanedUp).toBe(true);
    expect(server.users.size).toBe(0);
    expect(server.liveSessions()).toBe(0);
    expectNoSecrets(report, server.secretsIssued);
  });

  it("uses a provided account, logs every session out, and never prints the password", async () => {
    server = await startFakeTessera({ registrationClosed: true });
    const password = "correct horse battery staple 42";
    server.users.set("probe@example.com", password);
    const report = await runDoctor({ baseUrl: server.url, email: "probe@example.com", password });
    expect(report.checks.filter((c) => c.status === "fail" || c.status === "warn")).toEqual([]);
    expect(report.account).toEqual({ mode: "provided", email: "probe@example.com", cleanedUp: true });
    expect(server.users.has("probe@example.com")).toBe(true);
    expect(server.liveSessions()).toBe(0);
    // The rate-limit probe spares the real account: its password still works.
    const login = await fetch(`${server.url}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "probe@example.com", password }),
    });
    expect(login.status).toBe(200);
    expectNoSecrets(report, [...server.secretsIssued, password]);
  });

  it("skips the session checks with a hint when registration is closed and no account is given", async () => {
    server = await startFakeTessera({ registrationClosed: true });
    const report = await runDoctor({ baseUrl: server.url });
    const s = statuses(report);
    expect(s.account).toBe("skip");
    expect(s["refresh.rotation"]).toBe("skip");
    expect(s["rate_limit.login"]).toBe("pass");
    expect(report.checks.find((c) => c.id === "refresh.reuse")?.hint).toContain("--email");
    expect(report.ok).toBe(true);
  });

  it("fails the account check when the given password is wrong, without echoing it", async () => {
    server = await startFakeTessera({ registrationClosed: true });
    server.users.set("probe@example.com", "the real password");
    const report = await runDoctor({
      baseUrl: server.url,
      email: "probe@example.com",
      password: "a wrong guess 123",
    });
    expect(statuses(report).account).toBe("fail");
    expect(report.ok).toBe(false);
    expectNoSecrets(report, ["a wrong guess 123"]);
  });

  it("reports an unreachable server as a failure, not an exception", async () => {
    server = await startFakeTessera();
    const url = server.url;
    await server.close();
    server = undefined;
    const report = await runDoctor({ baseUrl: url, timeoutMs: 2000 });
    expect(statuses(report)["transport.https"]).toBe("fail");
    expect(report.ok).toBe(false);
    expect(report.aborted).toBeDefined();
  });

  it("emits progress events up to the number of checks", async () => {
    server = await startFakeTessera();
    const events: number[] = [];
    const report = await runDoctor({ baseUrl: server.url, onProgress: (e) => events.push(e.done) });
    expect(events.length).toBeGreaterThan(10);
    expect(Math.max(...events)).toBeLessThanOrEqual(report.checks.length);
  });
});
