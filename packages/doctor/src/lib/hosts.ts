const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** Whether a URL's host is this machine (plain HTTP there never crosses a network). */
export function isLoopback(url: URL): boolean {
  return LOOPBACK.has(url.hostname) || url.hostname.endsWith(".localhost") || /^127\./.test(url.hostname);
}

/** Origin and path without a trailing slash, with loopback aliases treated as one host. */
function comparable(url: URL): string {
  const host = isLoopback(url) ? "loopback" : url.hostname;
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.protocol}//${host}:${url.port}${path}`;
}

/**
 * Whether two URLs name the same place. `localhost` and `127.0.0.1` count as the same host, so a
 * development server whose issuer says `localhost` can be checked through `127.0.0.1`.
 */
export function sameLocation(a: string, b: string): boolean {
  try {
    return comparable(new URL(a)) === comparable(new URL(b));
  } catch {
    return false;
  }
}

/** Whether `inner` lies on the same origin as `outer` and under its path. */
export function isUnder(inner: string, outer: string): boolean {
  try {
    const i = new URL(inner);
    const o = new URL(outer);
    const base = comparable(o);
    const candidate = comparable(i);
    return candidate === base || candidate.startsWith(`${base}/`);
  } catch {
    return false;
  }
}
