/** Where the page finds the auth server and the demo API; the page server writes both into `<meta>` tags. */
export interface PageConfig {
  authUrl: string;
  apiUrl: string;
}

function meta(name: string): string {
  const value = document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? "";
  // Only absolute http(s) URLs: a misconfigured page fails loudly instead of calling itself.
  const url = new URL(value);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`${name}: not an http(s) URL`);
  return url.origin;
}

/**
 * Reads the endpoints from the page's `<meta>` tags.
 *
 * @example
 * const { authUrl, apiUrl } = readPageConfig();
 */
export function readPageConfig(): PageConfig {
  return { authUrl: meta("tessera-auth-url"), apiUrl: meta("tessera-api-url") };
}
