import type { ClientContext } from "../api.js";
import type { Runtime } from "../runtime.js";

/** One call of the admin API, as the server saw it. */
export interface AdminCall {
  /** The admin credential id; null when the call presented no valid credential. */
  admin: string | null;
  method: string;
  /** The route pattern (`/admin/users/:id`), never the raw URL with its query. */
  route: string;
  status: number;
  /** The user the call concerned, when its path names one. */
  userId: string | null;
  context: ClientContext | null;
}

/**
 * Audit one admin call (`admin.request`): who (the credential id), what (method and route
 * pattern) and how it ended. Never a body, a query, a password or a ticket.
 *
 * @example
 * await recordAdminCall(rt, { admin: "backend", method: "POST", route: "/admin/users", status: 201, userId: null, context });
 */
export async function recordAdminCall(rt: Runtime, call: AdminCall): Promise<void> {
  await rt.audit({
    type: "admin.request",
    outcome: call.admin !== null && call.status < 400 ? "success" : "failure",
    userId: call.userId,
    context: call.context,
    data: { admin: call.admin, method: call.method, route: call.route, status: call.status },
  });
}
