import helmet, { type FastifyHelmetOptions } from "@fastify/helmet";
import Fastify, { type FastifyInstance } from "fastify";

/** One response header as helmet sets it: its name as written on the wire, and its value. */
export type SecurityHeader = readonly [name: string, value: string | number | readonly string[]];

/**
 * The headers `@fastify/helmet` sets for `options`, computed once: helmet runs on one request to a
 * throwaway Fastify instance and its headers are read back off the raw response. Our options are
 * static (no CSP nonces, no per-route settings), so every answer gets exactly this list, and the
 * per-request cost of helmet (building and validating the policy again) goes away.
 *
 * @example
 * const headers = await staticSecurityHeaders({ frameguard: { action: "deny" } });
 */
export async function staticSecurityHeaders(options: FastifyHelmetOptions): Promise<SecurityHeader[]> {
  const probe = Fastify({ logger: false });
  let headers: SecurityHeader[] = [];
  try {
    await probe.register(helmet, options);
    probe.get("/", async (_request, reply) => {
      // Read before Fastify writes its own headers: what is on the raw response is helmet's.
      // (getRawHeaderNames keeps helmet's spelling, e.g. "X-Frame-Options"; Node ≥ 15, untyped here.)
      const raw = reply.raw as typeof reply.raw & { getRawHeaderNames(): string[] };
      headers = raw.getRawHeaderNames().map((name): SecurityHeader => [name, raw.getHeader(name) ?? ""]);
      return "";
    });
    await probe.inject({ method: "GET", url: "/" });
  } finally {
    await probe.close();
  }
  if (headers.length === 0) throw new Error("helmet set no security headers");
  return headers;
}

/**
 * Sets `headers` on every answer, in an `onRequest` hook at the point of registration (so answers
 * ended by a later hook — a CORS preflight, a refused query token — carry them too), on the raw
 * response as helmet did.
 *
 * @example
 * installSecurityHeaders(app, await staticSecurityHeaders(options));
 */
export function installSecurityHeaders(app: FastifyInstance, headers: readonly SecurityHeader[]): void {
  app.addHook("onRequest", (_request, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });
}
