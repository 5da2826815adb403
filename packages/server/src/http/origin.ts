import type { FastifyRequest } from "fastify";
import { HttpError } from "./http-error.js";

/**
 * Rejects a request whose `Origin` header is present but neither in `TESSERA_ALLOWED_ORIGINS`
 * nor the server's own origin (403 `origin_not_allowed`). Absent `Origin` passes: non-browser
 * clients do not send it, and browsers always send it on cross-origin POSTs. `Origin: null`
 * (sandboxed frames, privacy redirects) is never allowed.
 *
 * @example
 * checkOrigin(request, new Set(["https://app.example.com"]));
 */
export function checkOrigin(request: FastifyRequest, allowed: ReadonlySet<string>): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  if (typeof origin !== "string") throw new HttpError("origin_not_allowed");
  if (allowed.has(origin) || origin === `${request.protocol}://${request.host}`) return;
  throw new HttpError("origin_not_allowed");
}
