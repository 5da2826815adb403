/**
 * Outcome of one check: `fail` is a weakness to fix now, `warn` a risk that may be intentional,
 * `skip` a check that could not run (its hint says how to enable it).
 *
 * @example
 * const bad: CheckStatus = "fail";
 */
export type CheckStatus = "pass" | "warn" | "fail" | "skip";

/**
 * One line of the report.
 *
 * @example
 * const line: CheckResult = {
 *   id: "cookie.httponly",
 *   title: "Refresh cookie is HttpOnly",
 *   status: "fail",
 *   detail: "__Secure-tessera_refresh is readable by page scripts",
 *   hint: "set HttpOnly on the refresh cookie",
 * };
 */
export interface CheckResult {
  /** Stable identifier, e.g. `csrf.origin`; safe to match on in scripts. */
  id: string;
  title: string;
  status: CheckStatus;
  /** One line: what was observed. Never contains a token or a password. */
  detail: string;
  /** One line: how to fix it (empty when nothing needs fixing). */
  hint: string;
}

/**
 * Which account the session checks used.
 * `registered` means a throwaway `doctor+<random>@example.invalid` account created for the run.
 *
 * @example
 * const account: AccountUse = { mode: "provided", email: "probe@example.com", cleanedUp: true };
 */
export interface AccountUse {
  mode: "provided" | "registered" | "none";
  email?: string;
  /** Every session the doctor opened was logged out (and a throwaway account deleted). */
  cleanedUp: boolean;
}

/**
 * Everything one run found.
 *
 * @example
 * const report = await runDoctor({ baseUrl: "https://auth.example.com" });
 * if (!report.ok) process.exitCode = 1;
 */
export interface DoctorReport {
  target: string;
  startedAt: string;
  durationMs: number;
  account: AccountUse;
  checks: CheckResult[];
  summary: Record<CheckStatus, number>;
  /** `false` when at least one check failed or the run stopped early. */
  ok: boolean;
  /** Why the run stopped early (the server became unreachable), when it did. */
  aborted?: string;
}

/**
 * Emitted while the run progresses, for progress indicators.
 *
 * @example
 * const onProgress = (e: ProgressEvent) => console.error(`${e.done}/${e.total} ${e.step}`);
 */
export interface ProgressEvent {
  step: string;
  done: number;
  total: number;
}

/**
 * Options of {@link runDoctor}.
 *
 * @example
 * const options: DoctorOptions = {
 *   baseUrl: "https://auth.example.com",
 *   email: "probe@example.com",
 *   password: process.env.PROBE_PASSWORD ?? "",
 *   origin: "https://app.example.com",
 * };
 */
export interface DoctorOptions {
  /** The auth server's public base URL (normally equal to its issuer). */
  baseUrl: string;
  /** A test account. Without one, the doctor registers a throwaway account when registration is open. */
  email?: string;
  password?: string;
  /** A browser origin that should be allowed (checked for credentialed CORS). */
  origin?: string;
  /** Register a throwaway account when no credentials are given (default `true`). */
  register?: boolean;
  /** At most this many failed logins to find the rate limit (default 40; `0` skips the probe). */
  rateLimitAttempts?: number;
  /** Per-request timeout in milliseconds (default 10 000). */
  timeoutMs?: number;
  /** A `fetch` to use instead of the global one (custom CA, proxy, tests). */
  fetch?: typeof globalThis.fetch;
  onProgress?: (event: ProgressEvent) => void;
}
