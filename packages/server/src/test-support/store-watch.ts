import type { AuditEvent, Store } from "@tessera/core";

/** What a store call resolved to, for the store methods that can change something. */
export interface StoreWrite {
  method: string;
  /** The audit event's type and outcome, for `appendAudit`. */
  audit?: { type: string; outcome: string };
}

/**
 * Store methods a request may write through. A call counts as a write when it resolved to something other
 * than `false`/`null` (a compare-and-set that lost, or an unknown id, wrote nothing) — and, for
 * rotation, only the `rotated` outcome.
 */
const WRITING_METHODS = new Set<string>([
  "migrate",
  "createUser",
  "updatePasswordHash",
  "replacePasswordHash",
  "deleteUser",
  "updateUserEmail",
  "enableUser",
  "createLoginTicket",
  "redeemLoginTicket",
  "changeUserRoles",
  "applyRolePolicy",
  "createSession",
  "rotateRefreshToken",
  "revokeSession",
  "revokeUserSessions",
  "changeCredentials",
  "applyKeyChanges",
  "appendAudit",
  "rememberDpopJti",
  "createMailToken",
  "redeemMailToken",
  "setEmailVerified",
  // Not `purge`: the server's own timer runs it every 10 minutes, whatever request is in flight.
]);

function wrote(method: string, result: unknown): boolean {
  if (result === false || result === null) return false;
  if (method === "rotateRefreshToken") return (result as { outcome?: string }).outcome === "rotated";
  if (method === "applyRolePolicy") return (result as { applied?: boolean }).applied === true;
  return true;
}

/**
 * Wraps a store so that every call that wrote something is recorded (in call order), for tests
 * that must show a refused request changed nothing.
 *
 * @example
 * const watch = watchStore();
 * const server = await startTestServer({}, { wrapStore: watch.wrap });
 * watch.take(); // the writes since the last take
 */
export function watchStore(): { wrap: (store: Store) => Store; take: () => StoreWrite[] } {
  let writes: StoreWrite[] = [];
  const wrap = (store: Store): Store =>
    new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof property !== "string" || typeof value !== "function" || !WRITING_METHODS.has(property)) {
          return typeof value === "function" ? value.bind(target) : value;
        }
        return async (...args: unknown[]) => {
          const result = await value.apply(target, args);
          if (wrote(property, result)) {
            const event = property === "appendAudit" ? (args[0] as AuditEvent) : undefined;
            writes.push(
              event === undefined
                ? { method: property }
                : { method: property, audit: { type: event.type, outcome: event.outcome } },
            );
          }
          return result;
        };
      },
    });
  return {
    wrap,
    take: () => {
      const taken = writes;
      writes = [];
      return taken;
    },
  };
}

/**
 * The store's state as far as a request can change it: every user (all fields), each user's live
 * sessions (with last use), the revocation events after `revocationsAfter`, and the signing keys.
 * Two equal snapshots around a request mean it changed none of these. (The audit trail, which
 * refused requests may append to, is followed through `watchStore` instead.) `lastRevocation` is
 * the cursor to pass next time, so the revocation log is not read whole on every call.
 *
 * @example
 * const before = await storeSnapshot(store, Date.now(), 0);
 */
export async function storeSnapshot(
  store: Store,
  now: number,
  revocationsAfter: number,
): Promise<{ text: string; lastRevocation: number }> {
  const users = await store.listUsers({ limit: 10_000 });
  const sessions = await Promise.all(users.map((user) => store.listActiveSessions(user.id, now)));
  const revocations = await store.listRevocations(revocationsAfter, 100_000);
  const keys = await store.listSigningKeys();
  return {
    text: JSON.stringify({ users, sessions, revocations, keys }),
    lastRevocation: revocations.at(-1)?.cursor ?? revocationsAfter,
  };
}
