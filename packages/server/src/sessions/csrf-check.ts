import { timingSafeEqual } from "node:crypto";

const SAFE = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

/** Whether a method changes state, so needs the CSRF checks (POST, PUT, PATCH, DELETE, …). */
export const isUnsafeMethod = (method: string): boolean => !SAFE.has(method.toUpperCase());

type Headers = Record<string, string | string[] | undefined>;

/**
 * The first CSRF check of an unsafe request, made before anything else: an `Origin` among the
 * app's own origins or, without an `Origin`, `Sec-Fetch-Site: same-origin`. `Origin: null` never
 * passes; neither does a request with neither header.
 *
 * @example
 * if (isUnsafeMethod(method) && !originAllowed(headers, origins)) deny("csrf_failed");
 */
export function originAllowed(headers: Headers, origins: ReadonlySet<string>): boolean {
  const origin = headers.origin;
  if (origin !== undefined) return typeof origin === "string" && origins.has(origin);
  return headers["sec-fetch-site"] === "same-origin";
}

/**
 * The second check, with a session: the synchronizer token as `X-CSRF-Token` or as the body's
 * `_csrf` field, compared in constant time with the session's.
 *
 * @example
 * if (!synchronizerTokenMatches(request.session.csrfToken, headers, request.body)) deny("csrf_failed");
 */
export function synchronizerTokenMatches(expected: string, headers: Headers, body: unknown): boolean {
  const header = headers["x-csrf-token"];
  const field =
    body !== null && typeof body === "object" ? (body as Record<string, unknown>)._csrf : undefined;
  const presented = typeof header === "string" ? header : field;
  if (typeof presented !== "string") return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
