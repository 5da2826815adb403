import type { CookieSerializeOptions } from "@fastify/cookie";
import type { FastifyReply, FastifyRequest } from "fastify";
import { HttpError } from "./http-error.js";

/** `__Secure-` makes browsers refuse the cookie unless it is `Secure` and set from a secure origin. */
export const REFRESH_COOKIE = "__Secure-tessera_refresh";

const ATTRIBUTES: CookieSerializeOptions = {
  httpOnly: true,
  secure: true,
  sameSite: "strict",
};

/** `Path=/auth` under the prefix the routes are mounted at (`tesseraRoutes`), so it is sent to them only. */
const attributes = (reply: FastifyReply): CookieSerializeOptions => ({
  ...ATTRIBUTES,
  path: `${reply.server.prefix}/auth`,
});
const MAX_TOKEN_LENGTH = 1024;

/**
 * Sets the refresh cookie: `HttpOnly; Secure; SameSite=Strict; Path=/auth` (under the mount
 * prefix, if any), living exactly as long as the session has left (never longer).
 *
 * @example
 * setRefreshCookie(reply, tokens.refreshToken, tokens.sessionExpiresAt, clock.now());
 */
export function setRefreshCookie(
  reply: FastifyReply,
  token: string,
  sessionExpiresAt: number,
  now: number,
): void {
  const maxAge = Math.max(0, Math.floor((sessionExpiresAt - now) / 1000));
  reply.setCookie(REFRESH_COOKIE, token, { ...attributes(reply), maxAge });
}

/**
 * Clears the refresh cookie with the same attributes it was set with (else the browser keeps it).
 *
 * @example
 * clearRefreshCookie(reply);
 */
export function clearRefreshCookie(reply: FastifyReply): void {
  reply.setCookie(REFRESH_COOKIE, "", { ...attributes(reply), maxAge: 0, expires: new Date(0) });
}

/**
 * The refresh token from the cookie, or `undefined` when there is none. Two cookies of that name
 * (a cookie tossed in from a sibling subdomain beside the real one) are refused rather than
 * guessing which one is ours.
 *
 * @example
 * const refreshToken = readRefreshCookie(request, reply);
 */
export function readRefreshCookie(request: FastifyRequest, reply: FastifyReply): string | undefined {
  const header = request.headers.cookie ?? "";
  const occurrences = header.split(";").filter((part) => part.trim().startsWith(`${REFRESH_COOKIE}=`)).length;
  if (occurrences > 1) throw new HttpError("invalid_request");
  const value = request.cookies[REFRESH_COOKIE];
  if (value === undefined || value === "") return undefined;
  if (value.length > MAX_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(value)) {
    // Not something we ever set: drop it so the browser stops sending it.
    clearRefreshCookie(reply);
    throw new HttpError("refresh_invalid");
  }
  return value;
}
