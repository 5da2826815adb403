/** Inputs and results of the store's role operations (see `Store.changeUserRoles`, `Store.applyRolePolicy`). */

export interface ChangeUserRolesInput {
  userId: string;
  /** Roles to add (already checked names). */
  add: string[];
  /** Roles to remove. */
  remove: string[];
  /** Reject with `TesseraError("invalid_input")`, writing nothing, when the result would hold more. */
  maxRoles: number;
  now: number;
}

export interface ChangeUserRolesResult {
  /** The user's roles after the change, sorted. */
  roles: string[];
  /** Roles the user held before and no longer holds. */
  removed: string[];
  /** The user's token epoch after the change (bumped when anything was removed). */
  epoch: number;
}

export interface ApplyRolePolicyInput {
  /** Compare-and-set: the stored policy text this change was planned from (`null`: none stored). */
  expected: string | null;
  /** The policy text to store. */
  policy: string;
  /** Users holding any of these roles get their epoch bumped and a `user` revocation event. */
  bumpRoles: string[];
  now: number;
}
