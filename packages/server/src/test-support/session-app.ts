import formbody from "@fastify/formbody";
import { createTessera, ManualClock, type Store, type Tessera } from "@tessera/core";
import { createTestHasher } from "@tessera/core/testing";
import { createSqliteStore } from "@tessera/store-sqlite";
import Fastify, { type FastifyInstance } from "fastify";
import { requireRole, requireSession, type SessionAuthOptions, sessionAuth } from "../sessions/index.js";

export const APP_ORIGIN = "https://app.test";
export const SESSION_PASSWORD = "correct horse battery staple";

export interface SessionApp {
  app: FastifyInstance;
  tessera: Tessera;
  store: Store;
  clock: ManualClock;
  /** How many times the app's own unsafe route ran. */
  writes: () => number;
  close(): Promise<void>;
}

/**
 * Core over a fresh SQLite store (or the one given), a user `admin@example.com` (role admin) and
 * `user@example.com`, and a Fastify app with `sessionAuth` and a few routes: `GET /` (who),
 * `GET /admin` (role admin), `POST /notes` (a form route that counts its runs).
 *
 * @example
 * const s = await startSessionApp();
 */
export async function startSessionApp(
  options: { store?: Store; auth?: Partial<SessionAuthOptions>; roles?: Record<string, string[]> } = {},
): Promise<SessionApp> {
  const store = options.store ?? createSqliteStore({ path: ":memory:" });
  await store.migrate();
  const clock = new ManualClock(Date.parse("2026-03-01T00:00:00Z"));
  const tessera = await createTessera({
    store,
    masterKey: new Uint8Array(32).fill(3),
    issuer: APP_ORIGIN,
    audience: "app",
    clock,
    passwordHasher: createTestHasher(),
    roles: options.roles ?? { admin: ["users:write"] },
  });
  for (const [email, roles] of [
    ["admin@example.com", ["admin"]],
    ["user@example.com", []],
  ] as const) {
    if ((await store.getUserByEmail(email)) === null)
      await tessera.adminCreateUser(email, SESSION_PASSWORD, { roles });
  }
  let writes = 0;
  const app = Fastify({ logger: false });
  await app.register(sessionAuth, { tessera, origins: [APP_ORIGIN], ...options.auth });
  await app.register(async (scope) => {
    await scope.register(formbody);
    scope.post("/notes", async () => {
      writes++;
      return { ok: true };
    });
  });
  app.get("/", async (request) => ({ session: request.session, user: request.user }));
  app.get("/account", { preHandler: requireSession() }, async (request) => ({ email: request.user?.email }));
  app.get("/admin", { preHandler: requireRole("admin") }, async () => ({ admin: true }));
  await app.ready();
  return {
    app,
    tessera,
    store,
    clock,
    writes: () => writes,
    close: async () => {
      await app.close();
      if (!options.store) await store.close();
    },
  };
}

/** The `tss_…` value of the session cookie a response sets, or undefined. */
export function setSessionValue(setCookie: string | string[] | undefined): string | undefined {
  const all = Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [setCookie];
  const last = all.filter((c) => c.startsWith("__Host-tessera_session=")).at(-1);
  const value = last?.slice("__Host-tessera_session=".length).split(";")[0];
  return value === "" ? undefined : value;
}
