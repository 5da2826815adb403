import { afterEach, describe, expect, it } from "vitest";
import { type CliIo, runCli } from "./cli-main.js";
import { type FakeTessera, startFakeTessera } from "./testing/fake-tessera.js";

class Capture {
  text = "";
  constructor(readonly isTTY: boolean) {}
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

function io(env: Record<string, string> = {}, tty = false): CliIo & { stdout: Capture; stderr: Capture } {
  return { stdout: new Capture(tty), stderr: new Capture(tty), env };
}

let server: FakeTessera | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("tessera-doctor CLI", () => {
  it("exits 0 on a healthy server and prints one line per check", async () => {
    server = await startFakeTessera();
    const out = io();
    expect(await runCli([server.url, "--rate-limit-attempts", "15"], out)).toBe(0);
    expect(out.stdout.text).toMatch(/^✔ Refresh token rotates +a new refresh cookie/m);
    expect(out.stdout.text).toContain("0 failed");
    // No progress drawn when stderr is not a terminal (CI logs, pipes).
    expect(out.stderr.text).toBe("");
  });

  it("exits 1 when a check fails and prints the hint", async () => {
    server = await startFakeTessera({ cookieHttpOnly: false });
    const out = io();
    expect(await runCli([server.url, "--rate-limit-attempts", "0"], out)).toBe(1);
    expect(out.stdout.text).toMatch(/^✖ Refresh cookie HttpOnly .*→ set HttpOnly/m);
  });

  it("prints JSON with --json and takes the password from TESSERA_DOCTOR_PASSWORD", async () => {
    server = await startFakeTessera({ registrationClosed: true });
    const password = "env password for the probe";
    server.users.set("probe@example.com", password);
    const out = io({ TESSERA_DOCTOR_PASSWORD: password });
    expect(
      await runCli([server.url, "--email", "probe@example.com", "--json", "--rate-limit-attempts", "0"], out),
    ).toBe(0);
    const report = JSON.parse(out.stdout.text) as { account: { mode: string }; checks: unknown[] };
    expect(report.account.mode).toBe("provided");
    expect(report.checks.length).toBeGreaterThan(30);
    expect(out.stdout.text).not.toContain(password);
    for (const secret of server.secretsIssued) expect(out.stdout.text).not.toContain(secret);
  });

  it("draws progress on a terminal and clears it before the report", async () => {
    server = await startFakeTessera();
    const out = io({}, true);
    await runCli([server.url, "--rate-limit-attempts", "0"], out);
    expect(out.stderr.text).toContain("[");
    expect(out.stderr.text.endsWith("\r\u001b[K")).toBe(true);
  });

  it("exits 2 on unusable arguments", async () => {
    expect(await runCli(["ftp://example.com"], io())).toBe(2);
    expect(await runCli(["http://127.0.0.1:1", "--origin", "https://app.example.com/path"], io())).toBe(2);
    expect(await runCli([], io())).toBe(2);
    expect(await runCli(["http://127.0.0.1:1", "--rate-limit-attempts", "many"], io())).toBe(2);
  });
});
