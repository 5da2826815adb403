import { checkAccessToken } from "./checks/access-token.js";
import { type Account, acquireAccount, throwawayEmail } from "./checks/account.js";
import { checkRefreshCookie, judgeNoStore } from "./checks/cookie.js";
import { checkCors } from "./checks/cors.js";
import { checkForgeries } from "./checks/forgery.js";
import { checkJwks } from "./checks/jwks.js";
import { checkLogout } from "./checks/logout.js";
import { checkMalformedInput } from "./checks/malformed.js";
import { checkMetadata } from "./checks/metadata.js";
import { checkQueryToken } from "./checks/query-token.js";
import { checkLoginRateLimit } from "./checks/rate-limit.js";
import { checkRefreshFlow } from "./checks/refresh-flow.js";
import { checkTransport } from "./checks/transport.js";
import { DoctorError } from "./errors.js";
import { describeReply, HttpClient, NetworkError } from "./lib/http.js";
import { Redactor } from "./lib/redact.js";
import { type Finding, RunContext } from "./lib/run-context.js";
import { login, logout, type Session } from "./lib/session.js";
import type { AccountUse, CheckStatus, DoctorOptions, DoctorReport } from "./types.js";

const DEFAULT_ATTEMPTS = 40;
const DEFAULT_TIMEOUT_MS = 10_000;

function parseBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DoctorError("invalid_base_url", "the base URL is not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new DoctorError("invalid_base_url", "the base URL must be http:// or https://");
  }
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    throw new DoctorError(
      "invalid_base_url",
      "the base URL must not carry credentials, a query or a fragment",
    );
  }
  url.pathname = url.pathname.replace(/\/+$/, "") || "/";
  return url;
}

function checkOptions(options: DoctorOptions): void {
  if (options.origin !== undefined) {
    let origin: string | undefined;
    try {
      origin = new URL(options.origin).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== options.origin) {
      throw new DoctorError(
        "invalid_origin",
        "--origin must be a bare origin such as https://app.example.com",
      );
    }
  }
  const attempts = options.rateLimitAttempts;
  if (attempts !== undefined && (!Number.isInteger(attempts) || attempts < 0 || attempts > 1000)) {
    throw new DoctorError("invalid_option", "rateLimitAttempts must be an integer from 0 to 1000");
  }
}

/** Sessions and accounts the run created, to be undone whatever happens. */
interface Leftovers {
  sessions: Session[];
  dead: Set<Session>;
  account: Account | undefined;
  /** A session kept alive only to delete a throwaway account at the end. */
  holder: Session | undefined;
}

/** Runs every check it can; returns why the others did not run, when it stopped early on purpose. */
async function runChecks(
  ctx: RunContext,
  options: DoctorOptions,
  left: Leftovers,
): Promise<Finding | undefined> {
  ctx.step("metadata");
  const metadata = await ctx.http.request("GET", "/.well-known/oauth-authorization-server");
  if (metadata.status >= 300 && metadata.status < 400) {
    const to = metadata.headers.get("location") ?? "elsewhere";
    ctx.record("transport.https", {
      status: "fail",
      detail: `${ctx.http.base.origin} redirects to ${to}`,
      hint: "run the doctor against the URL the server answers at (its issuer)",
    });
    return { status: "skip", detail: "not run: the base URL redirects", hint: "" };
  }
  checkTransport(ctx, metadata);
  const jwksPath = checkMetadata(ctx, metadata);
  ctx.step("JWKS");
  checkJwks(ctx, await ctx.http.request("GET", jwksPath));
  await checkMalformedInput(ctx);
  await checkCors(ctx, options.origin);

  const attempts = options.rateLimitAttempts ?? DEFAULT_ATTEMPTS;
  const account = await acquireAccount(ctx, options);
  left.account = account;
  const probeUnknown = () =>
    checkLoginRateLimit(ctx, throwawayEmail(), attempts, "an unknown address, to spare your test account");
  if (account === undefined) {
    await probeUnknown();
    return undefined;
  }
  ctx.step("login");
  const first = await login(ctx, account.email, account.password);
  if (!("accessToken" in first)) {
    ctx.record("account", {
      status: "fail",
      detail: `login as ${account.email} got ${describeReply(first)}`,
      hint:
        first.status === 429
          ? "wait for the rate limit to pass, then run again"
          : "check --email and --password",
    });
    await probeUnknown();
    return undefined;
  }
  left.sessions.push(first);
  if (account.mode === "registered") {
    const holder = await login(ctx, account.email, account.password);
    if ("accessToken" in holder) left.holder = holder;
  }

  await checkAccessToken(ctx, first);
  const hasCookie = checkRefreshCookie(ctx, first.loginCookie, first.loginReply);
  await checkQueryToken(ctx, first.accessToken);
  await checkForgeries(ctx, first.accessToken);
  const noStore: Finding[] = [judgeNoStore(first.loginReply, "login answer")];
  if (hasCookie) {
    const onRefresh = await checkRefreshFlow(ctx, first);
    if (onRefresh !== undefined) noStore.push(onRefresh);
  }
  ctx.conclude("response.no_store", noStore, "login and refresh answers: no-store");

  const second = await login(ctx, account.email, account.password);
  if ("accessToken" in second) {
    left.sessions.push(second);
    if (await checkLogout(ctx, second)) left.dead.add(second);
  } else {
    ctx.record("session.logout", {
      status: "skip",
      detail: `a second login got ${describeReply(second)}`,
      hint: "",
    });
  }

  if (account.mode === "registered") {
    await checkLoginRateLimit(ctx, account.email, attempts, "the throwaway account");
  } else {
    await probeUnknown();
  }
  return undefined;
}

/** Logs out every session and deletes a throwaway account; reports whether all is gone. */
async function cleanUp(ctx: RunContext, left: Leftovers): Promise<boolean> {
  ctx.step("cleaning up");
  let clean = true;
  if (left.account?.mode === "registered") {
    const holder = left.holder;
    const deleted =
      holder !== undefined &&
      (
        await ctx.http
          .request("DELETE", "/auth/account", {
            headers: { authorization: `Bearer ${holder.accessToken}` },
            body: { password: left.account.password },
          })
          .catch(() => undefined)
      )?.status === 204;
    // Deleting the account ends every session it had.
    if (deleted) return true;
    clean = false;
  }
  for (const session of left.sessions) {
    if (left.dead.has(session) || session.cookie === "") continue;
    const reply = await logout(ctx, session).catch(() => undefined);
    // 401: the session was already revoked (reuse detection ends it on purpose).
    if (reply === undefined || !(reply.status === 401 || (reply.status >= 200 && reply.status < 300)))
      clean = false;
  }
  if (left.holder !== undefined) {
    const reply = await logout(ctx, left.holder).catch(() => undefined);
    if (reply === undefined || reply.status >= 300) clean = false;
  }
  return clean;
}

/**
 * Checks a running Tessera (or any server with the same HTTP contract) from outside, the way an
 * attacker or a browser sees it. Never throws for what it finds; throws {@link DoctorError} only for
 * unusable options. Sessions it opens are logged out, a throwaway account it registered is deleted.
 *
 * @example
 * import { formatReport, runDoctor } from "@tessera/doctor";
 *
 * const report = await runDoctor({ baseUrl: "https://auth.example.com", origin: "https://app.example.com" });
 * console.log(formatReport(report));
 * process.exitCode = report.ok ? 0 : 1;
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const started = Date.now();
  const base = parseBaseUrl(options.baseUrl);
  checkOptions(options);
  const redact = new Redactor();
  redact.add(options.password);
  const http = new HttpClient(
    base,
    options.fetch ?? globalThis.fetch,
    options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    redact,
  );
  const ctx = new RunContext(http, redact, options.onProgress);
  const left: Leftovers = { sessions: [], dead: new Set(), account: undefined, holder: undefined };
  let aborted: string | undefined;
  let notRun: Finding = {
    status: "skip",
    detail: "no test account",
    hint: "pass --email and --password of a test account",
  };
  try {
    notRun = (await runChecks(ctx, options, left)) ?? notRun;
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    aborted = error.message;
    if (!ctx.has("transport.https")) {
      ctx.record("transport.https", {
        status: "fail",
        detail: `cannot reach ${base.origin}: ${error.message}`,
        hint: "check the base URL, DNS, firewall and TLS trust (NODE_EXTRA_CA_CERTS for a private CA)",
      });
    }
    notRun = { status: "skip", detail: `not run: the run stopped (${error.message})`, hint: "" };
  }
  let cleanedUp = true;
  try {
    cleanedUp = await cleanUp(ctx, left);
  } catch {
    cleanedUp = false;
  }
  const account: AccountUse =
    left.account === undefined
      ? { mode: "none", cleanedUp }
      : { mode: left.account.mode, email: left.account.email, cleanedUp };
  if (left.account !== undefined && !ctx.has("account")) {
    const what =
      left.account.mode === "registered"
        ? `throwaway ${left.account.email}`
        : `provided account ${left.account.email}`;
    ctx.record(
      "account",
      cleanedUp
        ? {
            status: "pass",
            detail: `${what}; ${left.account.mode === "registered" ? "deleted" : "logged out"} afterwards`,
          }
        : {
            status: "warn",
            detail: `${what}; could not ${left.account.mode === "registered" ? "delete it" : "log out every session"}`,
            hint:
              left.account.mode === "registered"
                ? "delete it with tessera users delete"
                : "revoke its sessions with tessera sessions revoke",
          },
    );
  }
  const checks = ctx.results(notRun);
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const check of checks) summary[check.status]++;
  return {
    target: base.href.replace(/\/+$/, ""),
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    account,
    checks,
    summary,
    ok: summary.fail === 0 && aborted === undefined,
    ...(aborted === undefined ? {} : { aborted: redact.scrub(aborted) }),
  };
}
