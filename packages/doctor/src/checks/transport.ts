import { isLoopback } from "../lib/hosts.js";
import type { Reply } from "../lib/http.js";
import { stringField } from "../lib/http.js";
import type { Finding, RunContext } from "../lib/run-context.js";

const HALF_YEAR = 15_552_000;
const HSTS_HINT =
  "send Strict-Transport-Security: max-age=31536000; includeSubDomains (NODE_ENV=production does)";

/** Judges a `Strict-Transport-Security` value seen over HTTPS. */
export function judgeHsts(value: string | null): Finding {
  if (value === null)
    return { status: "fail", detail: "no Strict-Transport-Security header", hint: HSTS_HINT };
  const match = /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?/i.exec(value);
  if (match === null) return { status: "fail", detail: `unparsable HSTS "${value}"`, hint: HSTS_HINT };
  const maxAge = Number(match[1]);
  if (maxAge < HALF_YEAR) {
    return { status: "warn", detail: `max-age=${maxAge} is shorter than 180 days`, hint: HSTS_HINT };
  }
  return { status: "pass", detail: `max-age=${maxAge}` };
}

/** HTTPS and HSTS, judged from the first answer (the metadata document). */
export function checkTransport(ctx: RunContext, first: Reply): void {
  const base = ctx.http.base;
  const hsts = first.headers.get("strict-transport-security");
  if (base.protocol === "https:") {
    ctx.record("transport.https", { status: "pass", detail: "served over HTTPS" });
    const verdict = judgeHsts(hsts);
    ctx.record("transport.hsts", verdict);
    return;
  }
  const issuer = stringField(first, "issuer");
  const expectsTls = hsts !== null || (issuer?.startsWith("https:") ?? false);
  if (expectsTls) {
    const why = hsts !== null ? "it sends HSTS" : `its issuer is ${issuer}`;
    ctx.record("transport.https", {
      status: "fail",
      detail: `answers plain HTTP at ${base.origin} although it expects TLS (${why})`,
      hint: "expose only the TLS endpoint; let only the proxy reach the app and set TESSERA_TRUST_PROXY to that proxy alone",
    });
  } else if (isLoopback(base)) {
    ctx.record("transport.https", { status: "pass", detail: "plain HTTP on loopback only (development)" });
  } else {
    ctx.record("transport.https", {
      status: "warn",
      detail: `plain HTTP at ${base.origin}: tokens and cookies cross the network unencrypted`,
      hint: "serve HTTPS (TESSERA_TLS_CERT/TESSERA_TLS_KEY or a TLS proxy) and check the https:// URL",
    });
  }
  ctx.record("transport.hsts", { status: "skip", detail: "HSTS applies to HTTPS only", hint: "" });
}
