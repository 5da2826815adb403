import type { Reply } from "../lib/http.js";
import type { Finding, RunContext } from "../lib/run-context.js";

/** An origin no deployment should trust. */
export const FOREIGN_ORIGIN = "https://evil.example";
const CORS_HINT =
  "list only your own front-ends in TESSERA_ALLOWED_ORIGINS; never reflect Origin or send * with credentials";

function preflight(ctx: RunContext, origin: string): Promise<Reply> {
  return ctx.http.request("OPTIONS", "/auth/refresh", {
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type,x-csrf-token",
    },
  });
}

/** Judges the CORS headers answered to a request from an origin that must not be trusted. */
export function judgeForeignCors(reply: Reply, origin: string, what: string): Finding {
  const allow = reply.headers.get("access-control-allow-origin");
  const credentials = reply.headers.get("access-control-allow-credentials")?.trim().toLowerCase() === "true";
  if (allow === "*" && credentials) {
    return {
      status: "fail",
      detail: `${what}: Access-Control-Allow-Origin * with credentials`,
      hint: CORS_HINT,
    };
  }
  if (allow === origin && credentials) {
    return { status: "fail", detail: `${what}: ${origin} gets credentialed CORS`, hint: CORS_HINT };
  }
  if (allow === origin) {
    return {
      status: "warn",
      detail: `${what}: ${origin} is reflected (without credentials)`,
      hint: CORS_HINT,
    };
  }
  return { status: "pass", detail: `${what}: not allowed` };
}

/** Credentialed CORS only for allowed origins: never `*`, never a foreign or `null` origin. */
export async function checkCors(ctx: RunContext, allowedOrigin: string | undefined): Promise<void> {
  ctx.step("CORS");
  const findings = [
    judgeForeignCors(
      await preflight(ctx, FOREIGN_ORIGIN),
      FOREIGN_ORIGIN,
      "preflight from https://evil.example",
    ),
    judgeForeignCors(await preflight(ctx, "null"), "null", "preflight from Origin null"),
    judgeForeignCors(
      await ctx.http.request("GET", "/auth/me", { headers: { origin: FOREIGN_ORIGIN } }),
      FOREIGN_ORIGIN,
      "GET /auth/me from https://evil.example",
    ),
  ];
  ctx.conclude("cors.credentials", findings, "no credentialed CORS for https://evil.example or null");

  if (allowedOrigin === undefined) {
    ctx.record("cors.allowed_origin", {
      status: "skip",
      detail: "no --origin given",
      hint: "pass --origin https://your-app to check it",
    });
    return;
  }
  const reply = await preflight(ctx, allowedOrigin);
  const allow = reply.headers.get("access-control-allow-origin");
  const credentials = reply.headers.get("access-control-allow-credentials")?.trim().toLowerCase() === "true";
  const vary = (reply.headers.get("vary") ?? "").toLowerCase();
  if (allow === "*") {
    ctx.record("cors.allowed_origin", {
      status: "fail",
      detail: `${allowedOrigin}: answered with *`,
      hint: CORS_HINT,
    });
  } else if (allow !== allowedOrigin || !credentials) {
    ctx.record("cors.allowed_origin", {
      status: "warn",
      detail: `${allowedOrigin} gets no credentialed CORS (${allow ?? "no Access-Control-Allow-Origin"})`,
      hint: `add ${allowedOrigin} to TESSERA_ALLOWED_ORIGINS if a front-end runs there`,
    });
  } else if (!vary.includes("origin") && vary !== "*") {
    ctx.record("cors.allowed_origin", {
      status: "warn",
      detail: "the origin is echoed without Vary: Origin",
      hint: "send Vary: Origin with per-origin CORS answers so caches do not mix them",
    });
  } else {
    ctx.record("cors.allowed_origin", {
      status: "pass",
      detail: `${allowedOrigin}: credentialed, Vary: Origin`,
    });
  }
}
