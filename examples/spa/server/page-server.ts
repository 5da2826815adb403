import { createServer, type Server } from "node:http";
import type { PageBundle } from "./page-bundle.js";

/** Where the page's script sends its requests. */
export interface PageEndpoints {
  authUrl: string;
  apiUrl: string;
}

/** A running page server; see {@link startPageServer}. */
export interface PageServer {
  /** `http://127.0.0.1:<port>` — list it in the auth server's `TESSERA_ALLOWED_ORIGINS`. */
  readonly origin: string;
  /** Until this is called every request is answered 503: the page needs both URLs. */
  setEndpoints(endpoints: PageEndpoints): void;
  close(): Promise<void>;
}

const escapeAttribute = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * The page's security headers. The CSP allows scripts and styles from this origin only and
 * requests to exactly the auth server and the API: the SDK's in-memory tokens are only as safe as
 * the page is from injected script.
 */
function securityHeaders(endpoints: PageEndpoints): Record<string, string> {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${new URL(endpoints.authUrl).origin} ${new URL(endpoints.apiUrl).origin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    "content-security-policy": csp,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
  };
}

/**
 * Serves the bundled page on `host:port` (port 0 picks a free one): `/` is `index.html` with the
 * endpoints filled in, `/app.js` and `/styles.css` come from the bundle; anything else is 404.
 *
 * @example
 * const page = await startPageServer(await buildPageBundle(), { host: "127.0.0.1", port: 5173 });
 * page.setEndpoints({ authUrl: "http://127.0.0.1:3000", apiUrl: "http://127.0.0.1:4000" });
 */
export async function startPageServer(
  bundle: PageBundle,
  listen: { host: string; port: number },
): Promise<PageServer> {
  let endpoints: PageEndpoints | null = null;
  let index = "";

  const server: Server = createServer((request, response) => {
    if (endpoints === null) {
      response.writeHead(503, { "content-type": "text/plain" }).end("starting");
      return;
    }
    const path = new URL(request.url ?? "/", "http://page").pathname;
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    const headers = securityHeaders(endpoints);
    // The account-recovery links of the auth server's mails open the same page.
    if (path === "/" || path === "/index.html" || path === "/reset-password" || path === "/verify-email") {
      response.writeHead(200, { ...headers, "content-type": "text/html; charset=utf-8" }).end(index);
      return;
    }
    const file = bundle.files.get(path);
    if (file === undefined) {
      response.writeHead(404, { ...headers, "content-type": "text/plain" }).end("not found");
      return;
    }
    response.writeHead(200, { ...headers, "content-type": file.type }).end(file.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("page server has no TCP address");

  return {
    origin: `http://${listen.host}:${address.port}`,
    setEndpoints(next) {
      endpoints = next;
      index = bundle.indexTemplate
        .replace("{{AUTH_URL}}", escapeAttribute(next.authUrl))
        .replace("{{API_URL}}", escapeAttribute(next.apiUrl));
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
