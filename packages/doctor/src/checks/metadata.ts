import { isLoopback, isUnder, sameLocation } from "../lib/hosts.js";
import type { Reply } from "../lib/http.js";
import { describeReply, stringField } from "../lib/http.js";
import type { Finding, RunContext } from "../lib/run-context.js";

const ISSUER_HINT = "set TESSERA_ISSUER to the exact public base URL (scheme, host, port, path)";
const ENDPOINT_FIELDS = [
  "jwks_uri",
  "token_endpoint",
  "revocation_endpoint",
  "introspection_endpoint",
] as const;

/**
 * RFC 8414 metadata: the issuer is exactly the URL the document is served under (§3.3), and the
 * endpoints live under it. Returns the path of the JWKS to fetch.
 */
export function checkMetadata(ctx: RunContext, reply: Reply): string {
  const fallback = "/.well-known/jwks.json";
  const issuer = stringField(reply, "issuer");
  if (reply.status !== 200 || issuer === undefined) {
    ctx.record("metadata.issuer", {
      status: "fail",
      detail: `no RFC 8414 metadata at /.well-known/oauth-authorization-server (${describeReply(reply)})`,
      hint: "serve RFC 8414 metadata so resource servers discover the issuer and jwks_uri",
    });
    ctx.record("metadata.endpoints", { status: "skip", detail: "no metadata", hint: "" });
    return fallback;
  }
  ctx.issuer = issuer;
  const base = ctx.http.base.href.replace(/\/+$/, "");
  const findings: Finding[] = [];
  if (issuer !== base && !sameLocation(issuer, base)) {
    findings.push({
      status: "fail",
      detail: `issuer ${issuer} differs from the URL it is served at, ${base}`,
      hint: ISSUER_HINT,
    });
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(issuer);
  } catch {
    findings.push({ status: "fail", detail: `issuer "${issuer}" is not a URL`, hint: ISSUER_HINT });
  }
  if (parsed !== undefined) {
    if (parsed.search !== "" || parsed.hash !== "") {
      findings.push({ status: "fail", detail: "issuer has a query or fragment", hint: ISSUER_HINT });
    }
    if (parsed.protocol !== "https:" && !isLoopback(parsed)) {
      findings.push({
        status: "fail",
        detail: `issuer ${issuer} is not https (RFC 8414 §2)`,
        hint: ISSUER_HINT,
      });
    }
  }
  ctx.conclude("metadata.issuer", findings, `issuer ${issuer}`);

  const endpoints: Finding[] = [];
  const jwksUri = stringField(reply, "jwks_uri");
  if (jwksUri === undefined) {
    endpoints.push({
      status: "fail",
      detail: "no jwks_uri",
      hint: "publish jwks_uri so verifiers find the keys",
    });
  }
  for (const field of ENDPOINT_FIELDS) {
    const value = stringField(reply, field);
    if (value !== undefined && !isUnder(value, issuer)) {
      endpoints.push({
        status: "fail",
        detail: `${field} ${value} is not under the issuer`,
        hint: ISSUER_HINT,
      });
    }
  }
  const json = reply.json as Record<string, unknown>;
  for (const [field, value] of Object.entries(json)) {
    if (field.endsWith("_alg_values_supported") && Array.isArray(value) && value.includes("none")) {
      endpoints.push({ status: "fail", detail: `${field} lists "none"`, hint: "never advertise alg none" });
    }
  }
  ctx.conclude("metadata.endpoints", endpoints, "jwks_uri and endpoints under the issuer");

  if (jwksUri !== undefined && isUnder(jwksUri, base)) {
    const prefix = ctx.http.base.pathname.replace(/\/+$/, "");
    return new URL(jwksUri).pathname.slice(prefix.length) || fallback;
  }
  return fallback;
}
