import type { FastifyInstance } from "fastify";
import { sendError } from "../http/error-handler.js";
import { isDraining } from "../http/shutdown.js";
import type { RouteContext } from "./route-context.js";

const PING_TIMEOUT_MS = 2_000;

/** `GET /healthz` (the process answers), `GET /readyz` (the store answers, else 503) and `GET /metrics`. */
export function healthRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get("/healthz", async (_request, reply) =>
    reply.header("cache-control", "no-store").send({ status: "ok" }),
  );

  app.get("/readyz", async (request, reply) => {
    // Stopping: out of the load balancer first, while requests are still served.
    if (isDraining(app)) return sendError(request, reply, "shutting_down");
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("store ping timed out")), PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([ctx.store.ping(), timeout]);
    } catch (error) {
      // One line at warn, no stack (a load balancer probes every few seconds), and only the error
      // code: a driver message may quote connection details.
      request.log.warn(
        `readyz: store not ready (${String((error as { code?: unknown }).code ?? "timeout_or_error")}); answering 503`,
      );
      return sendError(request, reply, "store_unavailable");
    } finally {
      clearTimeout(timer);
    }
    return reply.header("cache-control", "no-store").send({ status: "ready" });
  });

  app.get("/metrics", async (_request, reply) => {
    const text = await ctx.metrics.exposition();
    return reply.header("cache-control", "no-store").type(ctx.metrics.registry.contentType).send(text);
  });
}
