import type { CheckStatus, DoctorReport } from "./types.js";

/**
 * Options of {@link formatReport}.
 *
 * @example
 * const options: FormatOptions = { color: process.stdout.isTTY && !process.env.NO_COLOR };
 */
export interface FormatOptions {
  /** ANSI colours (default `false`). */
  color?: boolean;
}

const SYMBOL: Record<CheckStatus, string> = { pass: "✔", warn: "!", fail: "✖", skip: "-" };
const COLOR: Record<CheckStatus, string> = { pass: "32", warn: "33", fail: "31", skip: "2" };

/**
 * Renders a report as text: a header, one aligned line per check (symbol, title, what was seen,
 * and after `→` how to fix it), and a summary line.
 *
 * @example
 * const report = await runDoctor({ baseUrl: "http://127.0.0.1:3000" });
 * process.stdout.write(`${formatReport(report, { color: process.stdout.isTTY })}\n`);
 */
export function formatReport(report: DoctorReport, options: FormatOptions = {}): string {
  const paint = (status: CheckStatus, text: string) =>
    options.color === true ? `\u001b[${COLOR[status]}m${text}\u001b[0m` : text;
  const width = Math.max(...report.checks.map((c) => c.title.length));
  const account =
    report.account.mode === "none"
      ? "no test account"
      : `${report.account.mode === "registered" ? "throwaway" : "account"} ${report.account.email ?? ""}`;
  const lines = [`Tessera doctor · ${report.target} · ${account}`, ""];
  for (const check of report.checks) {
    const hint = check.hint !== "" && check.status !== "pass" ? `  → ${check.hint}` : "";
    lines.push(
      `${paint(check.status, SYMBOL[check.status])} ${check.title.padEnd(width)}  ${check.detail}${hint}`,
    );
  }
  const { pass, warn, fail, skip } = report.summary;
  lines.push("");
  if (report.aborted !== undefined) lines.push(`Stopped early: ${report.aborted}`);
  const verdict = report.ok ? paint("pass", "OK") : paint("fail", "FAILED");
  const warnings = warn === 1 ? "1 warning" : `${warn} warnings`;
  lines.push(`${pass} passed · ${warnings} · ${fail} failed · ${skip} skipped — ${verdict}`);
  return lines.join("\n");
}
