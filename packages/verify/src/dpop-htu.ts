/**
 * The request URI as RFC 9449 §4.3 compares it: absolute http(s), scheme and host lower-case,
 * default port dropped, no query or fragment (WHATWG `URL` does the syntax normalisation).
 * `null` when it is not such a URL.
 *
 * @example
 * normaliseHtu("HTTPS://API.example.com:443/orders?id=1"); // "https://api.example.com/orders"
 */
export function normaliseHtu(value: string | URL): string | null {
  if (typeof value === "string" && (value.length === 0 || value.length > 2048)) return null;
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
