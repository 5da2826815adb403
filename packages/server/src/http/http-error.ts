import type { TesseraErrorCode } from "@tessera/core";
import type { ServerErrorCode } from "./error-table.js";

/**
 * A failure decided by the HTTP layer (bad request shape, CSRF, rate limit, …), or a core failure
 * that needs extra headers. The error handler turns it into `{error, message}` through the one
 * error table, with `headers` added.
 *
 * @example
 * throw new HttpError("csrf_failed");
 * throw new HttpError("token_expired", { "www-authenticate": 'Bearer error="invalid_token"' });
 */
export class HttpError extends Error {
  override readonly name = "HttpError";
  readonly code: ServerErrorCode | TesseraErrorCode;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ServerErrorCode | TesseraErrorCode, headers: Record<string, string> = {}) {
    super(code);
    this.code = code;
    this.headers = headers;
  }
}
