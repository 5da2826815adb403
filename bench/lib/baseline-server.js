import Fastify from "fastify";

/**
 * The HTTP baseline: the same Fastify with a trivial JSON route and nothing else (no logger,
 * no plugins), run in its own process exactly like the auth server. What no Fastify route on
 * this machine can beat.
 */
const app = Fastify({ logger: false });
app.get("/", async () => ({ hello: "world" }));
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
process.once("SIGTERM", () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
