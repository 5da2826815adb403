import type { Store } from "@tessera/core";
import { publishRevocation, type RevocationNotice } from "@tessera/store-redis";
import type { Redis } from "ioredis";

/**
 * Wraps a store so that every committed revocation (one session, all of a user's sessions — each
 * revoked session with its own notice —, a credential change, a deleted user, a removed role) is also pushed to Redis, where `@tessera/verify`'s Redis revocation source sees it
 * in well under a second. The database stays the system of record: a Redis failure is reported to
 * `onError` and never fails the request (verifiers also poll `/oauth/revocations`).
 *
 * @example
 * const store = withRevocationPublishing(openStore(config.database), redis, (e) => log.warn(e));
 */
export function withRevocationPublishing(
  store: Store,
  redis: Redis,
  onError: (error: unknown) => void,
): Store {
  const publish = async (notice: RevocationNotice) => {
    try {
      await publishRevocation(redis, notice);
    } catch (error) {
      onError(error);
    }
  };
  // Every revoked session gets its own notice too, published here rather than left to the relay:
  // a verifier then refuses the family's tokens whatever epoch they carry, without waiting a pass.
  const publishUserRevocation = async (
    userId: string,
    at: number,
    result: { epoch: number; revokedSessionIds: string[] },
  ) => {
    await Promise.all([
      publish({ kind: "user", userId, epoch: result.epoch, at }),
      ...result.revokedSessionIds.map((sessionId) => publish({ kind: "session", userId, sessionId, at })),
    ]);
  };
  return {
    ...bindAll(store),
    async revokeSession(sessionId, now, reason) {
      const revoked = await store.revokeSession(sessionId, now, reason);
      if (revoked) {
        const session = await store.getSession(sessionId);
        if (session) await publish({ kind: "session", userId: session.userId, sessionId, at: now });
      }
      return revoked;
    },
    async revokeUserSessions(input) {
      const result = await store.revokeUserSessions(input);
      await publishUserRevocation(input.userId, input.now, result);
      return result;
    },
    async changeCredentials(input) {
      const result = await store.changeCredentials(input);
      if (result) await publishUserRevocation(input.userId, input.now, result);
      return result;
    },
    async changeUserRoles(input) {
      const result = await store.changeUserRoles(input);
      // A removed role bumped the epoch: earlier access tokens must stop at every verifier.
      if (result !== null && result.removed.length > 0) {
        await publish({ kind: "user", userId: input.userId, epoch: result.epoch, at: input.now });
      }
      return result;
    },
    async deleteUser(userId, now) {
      const deleted = await store.deleteUser(userId, now);
      // No token of a deleted user may live on, whatever epoch it carries.
      if (deleted) await publish({ kind: "user", userId, epoch: Number.MAX_SAFE_INTEGER, at: now });
      return deleted;
    },
  };
}

/** The store's methods bound to it, so they work when copied onto the wrapper. */
function bindAll(store: Store): Store {
  const bound: Record<string, unknown> = {};
  let proto: object | null = store;
  while (proto && proto !== Object.prototype) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const value = (store as unknown as Record<string, unknown>)[name];
      if (name !== "constructor" && typeof value === "function" && !(name in bound)) {
        bound[name] = (value as (...args: unknown[]) => unknown).bind(store);
      }
    }
    proto = Object.getPrototypeOf(proto);
  }
  return bound as unknown as Store;
}
