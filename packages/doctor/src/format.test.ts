import { describe, expect, it } from "vitest";
import { formatReport } from "./format.js";
import type { DoctorReport } from "./types.js";

const report: DoctorReport = {
  target: "https://auth.example.com",
  startedAt: "2026-01-01T00:00:00.000Z",
  durationMs: 1,
  account: { mode: "registered", email: "doctor+1@example.invalid", cleanedUp: true },
  checks: [
    { id: "a", title: "Short", status: "pass", detail: "fine", hint: "" },
    { id: "b", title: "A longer title", status: "fail", detail: "broken", hint: "fix it" },
    { id: "c", title: "Mid title", status: "warn", detail: "hmm", hint: "consider" },
    { id: "d", title: "Skipped", status: "skip", detail: "not run", hint: "" },
  ],
  summary: { pass: 1, warn: 1, fail: 1, skip: 1 },
  ok: false,
};

describe("formatReport", () => {
  it("aligns one line per check with its symbol, and hints only where something is wrong", () => {
    const lines = formatReport(report).split("\n");
    expect(lines).toContain("✔ Short           fine");
    expect(lines).toContain("✖ A longer title  broken  → fix it");
    expect(lines).toContain("! Mid title       hmm  → consider");
    expect(lines).toContain("- Skipped         not run");
    expect(lines.at(-1)).toBe("1 passed · 1 warning · 1 failed · 1 skipped — FAILED");
  });

  it("colours only when asked", () => {
    expect(formatReport(report)).not.toContain("\u001b[");
    expect(formatReport(report, { color: true })).toContain("\u001b[31m✖\u001b[0m");
  });
});
