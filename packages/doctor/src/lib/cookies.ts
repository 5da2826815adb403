/** A `Set-Cookie` header, split into its parts. Attribute names are lower-cased. */
export interface SetCookie {
  name: string;
  value: string;
  attributes: Map<string, string>;
}

/** Parses one `Set-Cookie` header value (RFC 6265 §5.2, leniently). */
export function parseSetCookie(header: string): SetCookie {
  const [pair = "", ...rest] = header.split(";");
  const eq = pair.indexOf("=");
  const name = (eq === -1 ? "" : pair.slice(0, eq)).trim();
  const value = (eq === -1 ? pair : pair.slice(eq + 1)).trim();
  const attributes = new Map<string, string>();
  for (const part of rest) {
    const i = part.indexOf("=");
    const key = (i === -1 ? part : part.slice(0, i)).trim().toLowerCase();
    if (key !== "") attributes.set(key, i === -1 ? "" : part.slice(i + 1).trim());
  }
  return { name, value, attributes };
}

/**
 * Picks the refresh cookie among a response's cookies: the one whose name says `refresh`, else the
 * only one set.
 */
export function findRefreshCookie(headers: readonly string[]): SetCookie | undefined {
  const cookies = headers.map(parseSetCookie).filter((c) => c.name !== "");
  return cookies.find((c) => /refresh/i.test(c.name)) ?? (cookies.length === 1 ? cookies[0] : undefined);
}

/**
 * Seconds the browser keeps the cookie: `Max-Age` wins over `Expires` (RFC 6265 §5.3);
 * `undefined` for a browser-session cookie.
 */
export function cookieLifetime(cookie: SetCookie, now: number): number | undefined {
  const maxAge = cookie.attributes.get("max-age");
  if (maxAge !== undefined && /^-?\d+$/.test(maxAge)) return Number(maxAge);
  const expires = cookie.attributes.get("expires");
  if (expires !== undefined) {
    const at = Date.parse(expires);
    if (!Number.isNaN(at)) return Math.round((at - now) / 1000);
  }
  return undefined;
}

/** Whether a `Set-Cookie` tells the browser to drop the cookie now. */
export function clearsCookie(cookie: SetCookie, now: number): boolean {
  const lifetime = cookieLifetime(cookie, now);
  return lifetime !== undefined && lifetime <= 0;
}
