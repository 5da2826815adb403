import type { FastifyInstance } from "fastify";

/**
 * Records every route as it is added, so a request for a known path with the wrong method can be
 * answered 405 with `Allow` instead of 404. Call before adding routes.
 *
 * @example
 * const allowedMethods = trackRouteMethods(app);
 * allowedMethods("/auth/login"); // ["POST"]
 */
export function trackRouteMethods(app: FastifyInstance): (path: string) => string[] {
  const routes: Array<{ pattern: RegExp; methods: string[] }> = [];
  app.addHook("onRoute", (route) => {
    if (route.url === "*" || route.url.includes("*")) return;
    const source = route.url
      .split("/")
      .map((part) => (part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("/");
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).map(String);
    routes.push({ pattern: new RegExp(`^${source}$`), methods });
  });
  return (path) => [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))];
}
