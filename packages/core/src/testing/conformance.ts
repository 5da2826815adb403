import { afterAll, beforeAll, describe } from "vitest";
import type { Store } from "../store.js";
import { describeAdministration } from "./conformance-admin.js";
import { describeAudit } from "./conformance-audit.js";
import { describeAvailability } from "./conformance-availability.js";
import { describeCredentialFence } from "./conformance-credentials.js";
import { describeDpopBinding, describeDpopReplay } from "./conformance-dpop.js";
import { describeKeys } from "./conformance-keys.js";
import { describeMailTokens } from "./conformance-mail-tokens.js";
import { describePurge } from "./conformance-purge.js";
import { describeRevocation } from "./conformance-revocation.js";
import { describeRoles } from "./conformance-roles.js";
import { describeRotation } from "./conformance-rotation.js";
import { describeServerSessions } from "./conformance-server-sessions.js";
import { describeSessions } from "./conformance-sessions.js";
import { describeUsers } from "./conformance-users.js";

export { countRotationWinners, expectSingleRotationWinner, type RotationRace } from "./conformance-race.js";

/**
 * How the conformance suite gets stores to test.
 *
 * @example
 * const factory: StoreFactory = {
 *   create: async () => createSqliteStore({ path: join(dir, `${randomUUID()}.db`) }),
 *   createSibling: async (store) => createSqliteStore({ path: pathOf(store) }),
 * };
 */
export interface StoreFactory {
  /** A new store (not yet migrated; the suite migrates it). May share its database with others. */
  create(): Promise<Store>;
  /** A second connection or pool to the same database as `store`, for cross-connection races. */
  createSibling?(store: Store): Promise<Store>;
}

/**
 * The behaviour every `Store` adapter must show, as a Vitest suite. It creates its own users,
 * sessions and keys with random ids, so it can run against a database that holds other data.
 *
 * @example
 * // packages/store-foo/src/conformance.test.ts
 * import { runStoreConformance } from "@tessera/core/testing";
 * runStoreConformance("foo", { create: async () => createFooStore({ url }) });
 */
export function runStoreConformance(name: string, factory: StoreFactory): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store | undefined;
    let sibling: Store | undefined;
    const getStore = (): Store => {
      if (!store) throw new Error("the conformance store was not created");
      return store;
    };

    beforeAll(async () => {
      store = await factory.create();
      await store.migrate();
      if (factory.createSibling) sibling = await factory.createSibling(store);
    });
    afterAll(async () => {
      await sibling?.close();
      await store?.close();
    });

    describeUsers(getStore);
    describeSessions(getStore);
    describeServerSessions(
      getStore,
      factory.createSibling ? () => (sibling ? [getStore(), sibling] : [getStore()]) : undefined,
    );
    describeRotation(
      getStore,
      factory.createSibling ? () => (sibling ? [getStore(), sibling] : [getStore()]) : undefined,
    );
    describeRevocation(getStore);
    describeCredentialFence(
      getStore,
      factory.createSibling ? () => (sibling ? [getStore(), sibling] : [getStore()]) : undefined,
    );
    describeRoles(
      getStore,
      factory.createSibling ? () => (sibling ? [getStore(), sibling] : [getStore()]) : undefined,
    );
    describeAdministration(
      getStore,
      factory.createSibling ? () => (sibling ? [getStore(), sibling] : [getStore()]) : undefined,
    );
    describeKeys(getStore);
    describeAudit(getStore);
    describePurge(getStore);
    describeDpopReplay(
      getStore,
      factory.createSibling ? () => (sibling ? [getStore(), sibling] : [getStore()]) : undefined,
    );
    describeDpopBinding(
      getStore,
      factory.createSibling ? () => (sibling ? [getStore(), sibling] : [getStore()]) : undefined,
    );
    describeMailTokens(
      getStore,
      factory.createSibling ? () => (sibling ? [getStore(), sibling] : [getStore()]) : undefined,
    );
    describeAvailability(() => factory.create());
  });
}
