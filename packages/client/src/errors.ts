/**
 * Codes the SDK itself produces (status 0 for the first two). Every other code is the server's
 * `error` field, passed through unchanged (`invalid_credentials`, `refresh_reused`, …).
 *
 * @example
 * if (error.code === ("not_authenticated" satisfies ClientOnlyErrorCode)) showLogin();
 */
export type ClientOnlyErrorCode =
  /** The request never got an answer (offline, DNS, CORS refusal, aborted). */
  | "network_error"
  /** `resetPassword`/`verifyEmail` without a token, on a page whose address has no `#token=`. */
  | "missing_token"
  /** `auth.fetch` or `logoutAll` was called while no user is logged in. */
  | "not_authenticated"
  /** The server answered with something that is not the documented JSON shape. */
  | "invalid_response";

/**
 * A client-side code or a snake_case code from the server's `{ error }` body.
 *
 * @example
 * const retryable = (code: TesseraClientErrorCode) => code === "network_error" || code === "rate_limited";
 */
export type TesseraClientErrorCode = ClientOnlyErrorCode | (string & {});

/**
 * The one error the SDK throws. `status` is the HTTP status, or 0 when there was no answer.
 * Messages never contain a token or a password.
 *
 * @example
 * try { await auth.login(email, password); }
 * catch (e) { if (e instanceof TesseraClientError && e.code === "invalid_credentials") showError(); }
 */
export class TesseraClientError extends Error {
  override readonly name = "TesseraClientError";
  readonly code: TesseraClientErrorCode;
  readonly status: number;
  /** Seconds to wait before retrying, from a 429 answer's `Retry-After`. */
  readonly retryAfter: number | undefined;

  constructor(
    code: TesseraClientErrorCode,
    status: number,
    options: { message?: string; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(options.message ?? code, { cause: options.cause });
    this.code = code;
    this.status = status;
    this.retryAfter = options.retryAfter;
  }
}

/** Turn a non-2xx answer of the auth server into an error carrying the server's code. */
export async function errorFromResponse(res: Response): Promise<TesseraClientError> {
  let code = res.status === 429 ? "rate_limited" : "invalid_response";
  let message: string | undefined;
  try {
    const body: unknown = await res.json();
    if (isRecord(body) && typeof body.error === "string") {
      code = body.error;
      if (typeof body.message === "string") message = body.message;
    }
  } catch {
    // Not JSON (a proxy's error page): keep the fallback code.
  }
  const retryAfter = Number.parseInt(res.headers.get("Retry-After") ?? "", 10);
  return new TesseraClientError(code, res.status, {
    ...(message === undefined ? {} : { message }),
    ...(Number.isFinite(retryAfter) ? { retryAfter } : {}),
  });
}

/** @internal */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
