import { isTesseraError, type TesseraErrorCode } from "@tessera/core";
import type { ServerErrorCode } from "../http/error-table.js";
import { ERROR_TABLE } from "../http/error-table.js";

/** A framework-neutral HTTP answer, written by each adapter in its own way. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  /** JSON body; absent: no body. */
  json?: unknown;
  /** Set-Cookie values to append. */
  cookies?: string[];
}

/**
 * The documented JSON error `{error, message}` of a code, from the one error table.
 *
 * @example
 * errorAnswer("csrf_failed"); // { status: 403, json: { error: "csrf_failed", message: "…" } }
 */
export function errorAnswer(
  code: ServerErrorCode | TesseraErrorCode,
  headers: Record<string, string> = {},
): Answer {
  const entry = ERROR_TABLE[code];
  return { status: entry.status, headers, json: { error: entry.wire, message: entry.message } };
}

/** A 303 See Other to `location`. */
export function redirectAnswer(location: string, cookies?: string[]): Answer {
  return { status: 303, headers: { location }, ...(cookies ? { cookies } : {}) };
}

/**
 * `next` when it is a path of this origin (`/…`, not `//…` nor `/\…`), else `/`.
 *
 * @example
 * sameOriginPath("//evil.example"); // "/"
 */
export function sameOriginPath(next: unknown): string {
  if (typeof next !== "string" || next.length > 2048) return "/";
  return /^\/(?![/\\])[\x21-\x7E]*$/.test(next) ? next : "/";
}

/** Whether the client asks for HTML (a browser navigation) rather than JSON. */
export function wantsHtml(accept: unknown): boolean {
  return typeof accept === "string" && accept.includes("text/html");
}

/**
 * The answer for an error the adapters can name — the store being unavailable (503
 * `store_unavailable`) — or null for anything else, which goes to the app's error handler.
 *
 * @example
 * const answer = knownFailure(error); if (answer) return send(reply, answer); throw error;
 */
export function knownFailure(error: unknown): Answer | null {
  return isTesseraError(error, "store_unavailable") ? errorAnswer("store_unavailable") : null;
}
