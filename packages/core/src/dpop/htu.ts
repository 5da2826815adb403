/**
 * RFC 9449 §4.3 step 9: the `htu` of a proof is compared with the request URI without query
 * and fragment, after syntax-based normalisation (RFC 3986 §6.2.2–6.2.3): scheme and host in
 * lower case, the default port dropped, percent-encoding and dot segments normalised — which
 * WHATWG `URL` does. Returns `null` for anything that is not an absolute http(s) URL.
 *
 * @example
 * normaliseHtu("HTTPS://Auth.Example.com:443/oauth/token?x=1"); // "https://auth.example.com/oauth/token"
 */
export function normaliseHtu(value: string): string | null {
  if (typeof value !== "string" || value.length === 0 || value.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  if (url.username !== "" || url.password !== "") return null;
  return `${url.protocol}//${url.host}${url.pathname}`;
}
