import type { FastifySchema } from "fastify";
import { doc, SECURITY } from "./openapi-doc.js";

const bearer = { security: SECURITY.bearer };
const resource = { security: SECURITY.resource };
const admin = { security: SECURITY.admin };

/**
 * OpenAPI descriptions of the routes that declare none themselves, keyed `METHOD path`. The OpenAPI
 * plugin gives each such route its entry as the route's own schema when it registers. A route may
 * instead carry `schema: doc(…)` in its own options (the admin and ticket routes do); a route with
 * neither fails the OpenAPI test.
 */
export const ROUTE_DOCS: Readonly<Record<string, FastifySchema>> = {
  "POST /auth/register": doc("auth", "Create an account", {
    201: "{user}",
    400: "Invalid input or weak password",
    403: "Registration closed or Origin not allowed",
    409: "E-mail taken",
    429: "Too many registrations",
  }),
  "POST /auth/refresh": doc("auth", "Rotate the refresh cookie for a new access token", {
    200: "Tokens and the rotated cookie",
    401: "Missing, invalid, expired, revoked or reused refresh token",
    403: "CSRF or Origin failure",
    429: "Too many requests",
  }),
  "GET /auth/csrf": doc("auth", "The session's CSRF token, after a page reload", {
    200: "{csrf_token}",
    401: "Missing or invalid refresh cookie",
  }),
  "POST /auth/logout": doc("auth", "Log out: revoke the cookie's session and clear the cookie", {
    204: "Logged out",
    403: "CSRF or Origin failure",
  }),
  "GET /auth/me": doc(
    "auth",
    "The signed-in user and session",
    { 200: "{user, session}", 401: "Bad token" },
    bearer,
  ),
  "POST /auth/logout-all": doc(
    "auth",
    "Log out everywhere: every session and access token revoked",
    { 204: "Done", 401: "Bad token" },
    bearer,
  ),
  "POST /auth/password": doc(
    "auth",
    "Change the password (every other session revoked)",
    {
      204: "Changed",
      400: "Invalid input or weak password",
      401: "Bad token or wrong password",
      429: "Too many",
    },
    bearer,
  ),
  "DELETE /auth/account": doc(
    "auth",
    "Delete the account (every session and token dead)",
    { 204: "Deleted", 400: "Invalid input", 401: "Bad token or wrong password", 429: "Too many" },
    bearer,
  ),
  "GET /auth/sessions": doc(
    "auth",
    "The caller's live sessions",
    { 200: "{sessions}", 401: "Bad token" },
    bearer,
  ),
  "DELETE /auth/sessions/:id": doc(
    "auth",
    "Revoke one of your own sessions",
    { 204: "Revoked", 401: "Bad token", 404: "No such session of yours" },
    bearer,
  ),
  "POST /oauth/token": doc("oauth", "Refresh a body-delivered refresh token (RFC 6749 §6)", {
    200: "{access_token, token_type, expires_in, refresh_token}",
    400: "invalid_request, invalid_grant, unsupported_grant_type, DPoP errors",
    429: "Too many requests",
  }),
  "POST /oauth/revoke": doc("oauth", "Token revocation (RFC 7009)", {
    200: "Revoked, or nothing to revoke",
    400: "Malformed request",
  }),
  "POST /oauth/introspect": doc(
    "oauth",
    "Token introspection (RFC 7662)",
    { 200: "{active, ...claims}", 400: "Malformed request", 401: "Resource credential required" },
    resource,
  ),
  "GET /oauth/revocations": doc(
    "oauth",
    "Revocation feed since a cursor",
    {
      200: "{cursor, users, sessions}",
      304: "Nothing new",
      400: "Bad cursor",
      401: "Resource credential required",
    },
    resource,
  ),
  "GET /.well-known/jwks.json": doc("meta", "Public signing keys (JWKS)", { 200: "{keys}" }),
  "GET /.well-known/oauth-authorization-server": doc("meta", "Authorization server metadata (RFC 8414)", {
    200: "Metadata",
  }),
  "POST /admin/users/import": doc(
    "admin",
    "Import up to 1,000 users with their legacy password hashes",
    {
      200: "{imported, skipped}",
      400: "Not a JSON object, no users array, or more than 1,000 users",
      401: "Admin credential required",
    },
    admin,
  ),
  "POST /auth/password/forgot": doc("auth", "Ask for a password-reset link (any address)", {
    202: "{} whether or not the address is known",
    400: "Invalid input",
    403: "Origin not allowed",
    429: "Too many",
  }),
  "POST /auth/password/reset": doc("auth", "Set a new password with a reset link's token", {
    204: "Password set, every session revoked",
    400: "Invalid or expired token, invalid input or weak password",
    403: "Origin not allowed or account disabled",
  }),
  "POST /auth/email/verify": doc("auth", "Verify the address with a verification link's token", {
    204: "Verified",
    400: "Invalid or expired token",
    403: "Origin not allowed",
  }),
  "POST /auth/email/resend": doc(
    "auth",
    "Send a new verification link to the signed-in user",
    { 202: "{}", 401: "Bad token", 429: "Too many" },
    bearer,
  ),
  "GET /healthz": doc("ops", "Liveness", { 200: "Alive" }),
  "GET /readyz": doc("ops", "Readiness: the store answers", { 200: "Ready", 503: "Store unavailable" }),
  "GET /metrics": doc("ops", "Prometheus metrics (text format)", { 200: "Metrics" }),
};
