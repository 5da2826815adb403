import { describe, expect, it } from "vitest";
import type { Store } from "../store.js";
import {
  makeAudit,
  makeSession,
  makeToken,
  makeUser,
  rejectionOf,
  rotation,
  T0,
} from "./conformance-fixtures.js";

/** Every data method once, with harmless arguments. */
function everyCall(store: Store): Array<[string, () => Promise<unknown>]> {
  const user = makeUser();
  const session = makeSession(user.id);
  const token = makeToken(session.id);
  return [
    ["migrate", () => store.migrate()],
    ["ping", () => store.ping()],
    ["createUser", () => store.createUser(user)],
    ["getUserById", () => store.getUserById(user.id)],
    ["getUserByEmail", () => store.getUserByEmail(user.email)],
    ["listUsers", () => store.listUsers()],
    ["updatePasswordHash", () => store.updatePasswordHash(user.id, user.passwordHash)],
    ["replacePasswordHash", () => store.replacePasswordHash(user.id, user.passwordHash, user.passwordHash)],
    ["deleteUser", () => store.deleteUser(user.id, T0)],
    ["createSession", () => store.createSession(session, token, 0)],
    ["getSession", () => store.getSession(session.id)],
    ["listActiveSessions", () => store.listActiveSessions(user.id, T0)],
    ["getRefreshToken", () => store.getRefreshToken(token.id)],
    ["rotateRefreshToken", () => store.rotateRefreshToken(rotation(token, T0))],
    ["revokeSession", () => store.revokeSession(session.id, T0, "logout")],
    [
      "revokeUserSessions",
      () => store.revokeUserSessions({ userId: user.id, now: T0, reason: "logout_all" }),
    ],
    ["getAccessState", () => store.getAccessState(user.id, session.id)],
    ["listRevocations", () => store.listRevocations(0, 10)],
    ["listSigningKeys", () => store.listSigningKeys()],
    ["applyKeyChanges", () => store.applyKeyChanges({ updates: [] })],
    ["appendAudit", () => store.appendAudit(makeAudit())],
    ["listAudit", () => store.listAudit({})],
    ["purge", () => store.purge({ now: T0, sealedBefore: T0, revocationsBefore: T0, auditBefore: T0 })],
  ];
}

export function describeAvailability(create: () => Promise<Store>): void {
  describe("availability", () => {
    it("answers ping while open; after close every method rejects with store_unavailable", async () => {
      const store = await create();
      await store.migrate();
      await store.ping();
      await store.close();
      for (const [name, call] of everyCall(store)) {
        const error = await rejectionOf(call());
        expect(error, name).toMatchObject({ name: "TesseraError", code: "store_unavailable" });
      }
      await store.close();
    });
  });
}
