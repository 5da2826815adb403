import { isRecord, TesseraClientError } from "./errors.js";

/**
 * The logged-in user as the server describes it.
 *
 * @example
 * const user: User | null = auth.user; // { id: "usr_…", email: "ada@example.com" }
 */
export interface User {
  readonly id: string;
  readonly email: string;
  /** The roles the user holds, as of the latest login or refresh (empty when unknown). */
  readonly roles: readonly string[];
}

/**
 * What a tab holds in memory while logged in. `expiresAt` is measured on the local clock from
 * the moment the request was sent, so it errs early, never late.
 */
export interface Session {
  readonly accessToken: string;
  readonly expiresAt: number;
  readonly lifetimeMs: number;
  readonly csrfToken: string;
  readonly user: User;
}

const MAX_REFRESH_MARGIN_MS = 30_000;

/** True once the token is within min(30 s, ¼ of its lifetime) of expiry. */
export function needsRefresh(session: Session, now: number): boolean {
  const margin = Math.min(MAX_REFRESH_MARGIN_MS, session.lifetimeMs / 4);
  return now >= session.expiresAt - margin;
}

/** Parse a user object, or undefined when the shape is wrong. */
export function parseUser(value: unknown): User | undefined {
  if (!isRecord(value) || typeof value.id !== "string" || typeof value.email !== "string") return undefined;
  const roles = Array.isArray(value.roles)
    ? value.roles.filter((r): r is string => typeof r === "string")
    : [];
  return Object.freeze({ id: value.id, email: value.email, roles: Object.freeze(roles) });
}

/** Parse the body of a login or refresh answer into a session. */
export function parseTokenResponse(body: unknown, sentAt: number): Session {
  const user = isRecord(body) ? parseUser(body.user) : undefined;
  if (
    !isRecord(body) ||
    user === undefined ||
    typeof body.access_token !== "string" ||
    typeof body.csrf_token !== "string" ||
    typeof body.expires_in !== "number" ||
    !(body.expires_in > 0)
  ) {
    throw new TesseraClientError("invalid_response", 200);
  }
  const lifetimeMs = body.expires_in * 1000;
  return {
    accessToken: body.access_token,
    expiresAt: sentAt + lifetimeMs,
    lifetimeMs,
    csrfToken: body.csrf_token,
    user,
  };
}

/** Validate a session received from another tab. */
export function parseSession(value: unknown): Session | undefined {
  if (!isRecord(value)) return undefined;
  const user = parseUser(value.user);
  const { accessToken, expiresAt, lifetimeMs, csrfToken } = value;
  if (
    user === undefined ||
    typeof accessToken !== "string" ||
    typeof expiresAt !== "number" ||
    typeof lifetimeMs !== "number" ||
    typeof csrfToken !== "string"
  ) {
    return undefined;
  }
  return { accessToken, expiresAt, lifetimeMs, csrfToken, user };
}
