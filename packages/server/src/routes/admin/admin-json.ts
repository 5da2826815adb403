import type { AdminUserView } from "@tessera/core";
import { HttpError } from "../../http/http-error.js";

/**
 * A user as the admin API answers it. Never a password hash, epoch or credential version.
 *
 * @example
 * reply.send({ user: adminUserJson(view) });
 */
export function adminUserJson(view: AdminUserView) {
  return {
    id: view.id,
    email: view.email,
    roles: view.roles,
    disabled: view.disabled,
    email_verified: view.emailVerified,
    created_at: new Date(view.createdAt).toISOString(),
  };
}

/** What a user id can be: nothing else is ever looked up (or sent to a store as one). */
export const USER_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * A user id from the path, or 404 `not_found` (an id can never hold other characters).
 *
 * @example
 * const id = userIdParam(request.params.id);
 */
export function userIdParam(id: string): string {
  if (!USER_ID.test(id)) throw new HttpError("not_found");
  return id;
}

/**
 * An optional boolean field, or 400 `invalid_request`.
 *
 * @example
 * const disabled = optionalBoolean(body, "disabled");
 */
export function optionalBoolean(body: Record<string, unknown>, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") throw new HttpError("invalid_request");
  return value;
}

/**
 * The optional `roles` field: a list of strings, or 400 `invalid_input` (as a bad role name, which
 * the core checks; a role the policy file does not define may be held and grants nothing).
 *
 * @example
 * const roles = optionalRoles(body); // ["support"] | undefined
 */
export function optionalRoles(body: Record<string, unknown>): string[] | undefined {
  const value = body.roles;
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((role) => typeof role === "string")) {
    throw new HttpError("invalid_input");
  }
  return value;
}

/**
 * Refuses (400 `invalid_request`) a body with a field not in `allowed`, so a misspelt or not yet
 * supported change is never silently ignored.
 *
 * @example
 * onlyFields(body, ["email", "password", "disabled"]);
 */
export function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  if (Object.keys(body).some((key) => !allowed.includes(key))) throw new HttpError("invalid_request");
}
