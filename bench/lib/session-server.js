import { requireSession, sessionAuth } from "@tessera/server/sessions";
import { createSqliteStore } from "@tessera/store-sqlite";
import Fastify from "fastify";
import { seedTessera } from "./seed.js";

/**
 * The server of the server-session bench, in its own process: one Fastify app serving the same
 * JSON route twice — `GET /open/data` with nothing in front of it, and `GET /protected/data` in an
 * encapsulated context with `sessionAuth` (the session cookie validated through core on every
 * request) and `requireSession()` (401 without a live session). Same process, same JIT, same
 * store file: the two routes differ only by the session check.
 *
 * Environment: PORT, TESSERA_BENCH_DB (a migrated SQLite file), TESSERA_BENCH_MASTER_KEY (hex).
 */
const store = createSqliteStore({ path: /** @type {string} */ (process.env.TESSERA_BENCH_DB) });
const tessera = await seedTessera(
  store,
  new Uint8Array(Buffer.from(process.env.TESSERA_BENCH_MASTER_KEY ?? "", "hex")),
);
const app = Fastify({ logger: false });
const route = async (/** @type {import("fastify").FastifyRequest} */ request) => ({
  hello: "world",
  user: request.user?.id ?? null,
});
await app.register(
  async (open) => {
    open.get("/data", route);
  },
  { prefix: "/open" },
);
await app.register(
  async (guarded) => {
    await guarded.register(sessionAuth, { tessera, origins: ["http://127.0.0.1"] });
    guarded.get("/data", { preHandler: requireSession() }, route);
  },
  { prefix: "/protected" },
);
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
process.once("SIGTERM", () => {
  app.close().then(
    () => store.close().then(() => process.exit(0)),
    () => process.exit(1),
  );
});
