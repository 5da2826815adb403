/** One stored cookie. */
export interface JarCookie {
  name: string;
  value: string;
  path: string;
  /** ms since epoch, or null for a session cookie. */
  expiresAt: number | null;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string | null;
}

/**
 * A small RFC 6265 cookie jar for tests against a real listening server: honours `Path`,
 * `Max-Age`/`Expires` (0 or past deletes) and `Secure` (accepted from https or from localhost /
 * 127.0.0.1, as browsers do), and sends only the cookies whose path matches.
 *
 * @example
 * const jar = new CookieJar();
 * jar.capture(new URL(url), res.headers.getSetCookie());
 * fetch(url, { headers: { cookie: jar.header(new URL(url)) } });
 */
export class CookieJar {
  readonly #cookies = new Map<string, JarCookie>();

  capture(url: URL, setCookies: string[]): void {
    for (const line of setCookies) {
      const cookie = parseSetCookie(line, url);
      if (!cookie) continue;
      if (cookie.secure && url.protocol !== "https:" && !isLocalhost(url.hostname)) continue;
      const key = `${cookie.name}|${cookie.path}`;
      if (cookie.expiresAt !== null && cookie.expiresAt <= Date.now()) this.#cookies.delete(key);
      else this.#cookies.set(key, cookie);
    }
  }

  header(url: URL): string {
    return [...this.#cookies.values()]
      .filter((c) => pathMatches(url.pathname, c.path) && (c.expiresAt === null || c.expiresAt > Date.now()))
      .filter((c) => !c.secure || url.protocol === "https:" || isLocalhost(url.hostname))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }

  get(name: string): JarCookie | undefined {
    return [...this.#cookies.values()].find((c) => c.name === name);
  }

  set(cookie: JarCookie): void {
    this.#cookies.set(`${cookie.name}|${cookie.path}`, cookie);
  }

  clear(): void {
    this.#cookies.clear();
  }
}

const isLocalhost = (host: string) => host === "localhost" || host === "127.0.0.1" || host === "[::1]";

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/";
}

/** Parses one `Set-Cookie` line into its name, value and attributes (case-insensitive names). */
export function parseSetCookie(
  line: string,
  url: URL,
): (JarCookie & { attributes: Map<string, string> }) | null {
  const [pair = "", ...attrs] = line.split(";");
  const eq = pair.indexOf("=");
  if (eq <= 0) return null;
  const attributes = new Map<string, string>();
  for (const attr of attrs) {
    const i = attr.indexOf("=");
    const key = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase();
    attributes.set(key, i < 0 ? "" : attr.slice(i + 1).trim());
  }
  let expiresAt: number | null = null;
  const maxAge = attributes.get("max-age");
  if (maxAge !== undefined) expiresAt = Date.now() + Number(maxAge) * 1000;
  else if (attributes.has("expires")) expiresAt = Date.parse(attributes.get("expires") ?? "");
  const defaultPath = url.pathname.slice(0, url.pathname.lastIndexOf("/")) || "/";
  return {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim(),
    path: attributes.get("path") || defaultPath,
    expiresAt,
    secure: attributes.has("secure"),
    httpOnly: attributes.has("httponly"),
    sameSite: attributes.get("samesite") ?? null,
    attributes,
  };
}
