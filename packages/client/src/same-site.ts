/**
 * Development check: the refresh cookie is `SameSite=Strict`, so a page whose site differs from
 * the auth server's never sends it, and every refresh fails without a word from the browser. The
 * classic case: a page on `http://localhost:5173` configured with `http://127.0.0.1:3000`.
 */

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$|\.localhost$/;

/**
 * The site of a URL for the SameSite rule: the scheme and the registrable domain. Without the
 * public-suffix list the registrable domain is approximated by the last two labels (IP addresses
 * and `localhost` are their own site), which is exact for the hosts met in development.
 */
function siteOf(url: URL): string {
  const host = url.hostname;
  const isIp = /^[\d.]+$/.test(host) || host.startsWith("[");
  const labels = host.split(".");
  const domain = isIp || labels.length <= 2 ? host : labels.slice(-2).join(".");
  return `${url.protocol}//${domain.endsWith(".localhost") ? "localhost" : domain}`;
}

/**
 * The warning to print when a page in development (served from a loopback host) talks to an auth
 * server of another site, else null. `baseUrl` may be relative (same origin: never a warning).
 *
 * @example
 * crossSiteWarning("http://127.0.0.1:3000", "http://localhost:5173/"); // "@tessera/client: …"
 */
export function crossSiteWarning(baseUrl: string, pageHref: string): string | null {
  let page: URL;
  let server: URL;
  try {
    page = new URL(pageHref);
    server = new URL(baseUrl || "/", page);
  } catch {
    return null;
  }
  if (!LOOPBACK.test(page.hostname) || siteOf(page) === siteOf(server)) return null;
  return (
    `@tessera/client: baseUrl ${server.origin} is not the same site as this page (${page.origin}), ` +
    "so the browser never sends the SameSite=Strict refresh cookie and sessions will not survive a " +
    `refresh or reload. Use the same host name for both (e.g. http://${page.hostname}:${server.port || "3000"}) ` +
    "and set the server's TESSERA_ISSUER to it."
  );
}

let warned = false;

/**
 * Prints {@link crossSiteWarning} once per page with `console.warn`.
 *
 * @example
 * warnIfCrossSite("http://127.0.0.1:3000");
 */
export function warnIfCrossSite(baseUrl: string): void {
  const href = (globalThis as { location?: { href?: string } }).location?.href;
  if (warned || typeof href !== "string") return;
  const message = crossSiteWarning(baseUrl, href);
  if (message === null) return;
  warned = true;
  console.warn(message);
}
