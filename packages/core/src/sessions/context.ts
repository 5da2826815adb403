import { isIP } from "node:net";
import type { ClientContext } from "../api.js";

/**
 * What counts as a "changed context" on refresh — deliberately coarse, never a device
 * fingerprint:
 * - another browser family (Edge, Opera, Chrome, Firefox, Safari, other), from the user agent;
 *   browser updates, OS updates and version strings do not count;
 * - a client IP outside the login IP's /16 (IPv4) or /48 (IPv6); an IPv4-mapped IPv6 address
 *   counts as IPv4, and an IPv4 ↔ IPv6 switch counts as a change.
 * An IP unknown (`null`) on either side is not a change. A user agent the login had and the
 * refresh lacks is a change of browser family (dropping the header must not dodge strict mode);
 * one the login lacked is not compared.
 */

export type BrowserFamily = "edge" | "opera" | "chrome" | "firefox" | "safari" | "other";

/**
 * The coarse browser family of a user agent. Order matters: Edge and Opera also say "Chrome",
 * Chrome also says "Safari".
 *
 * @example
 * browserFamily("Mozilla/5.0 … Chrome/120.0 Safari/537.36 Edg/120.0"); // "edge"
 */
export function browserFamily(userAgent: string): BrowserFamily {
  if (/\bEdg(e|A|iOS)?\//.test(userAgent)) return "edge";
  if (/\bOPR\/|\bOpera\b/.test(userAgent)) return "opera";
  if (/\bFirefox\/|\bFxiOS\//.test(userAgent)) return "firefox";
  if (/\bChrome\/|\bCriOS\/|\bChromium\//.test(userAgent)) return "chrome";
  if (/\bSafari\//.test(userAgent) && /\bVersion\//.test(userAgent)) return "safari";
  return "other";
}

function expandIPv6(ip: string): number[] | null {
  const [head, tail, ...rest] = ip.split("::");
  if (rest.length > 0 || head === undefined) return null;
  const parse = (part: string | undefined): number[] =>
    part === undefined || part === "" ? [] : part.split(":").map((h) => Number.parseInt(h, 16));
  const left = parse(head);
  const right = parse(tail);
  const fill = 8 - left.length - right.length;
  if (tail === undefined ? fill !== 0 : fill < 0) return null;
  return [...left, ...new Array<number>(fill).fill(0), ...right];
}

/**
 * The network an address belongs to for context checks: `4:a.b` (/16) or `6:h1:h2:h3` (/48).
 * `null` for something that is not an IP address.
 *
 * @example
 * networkOf("203.0.113.7"); // "4:203.0"
 * networkOf("2001:db8:1:2::1"); // "6:2001:db8:1"
 */
export function networkOf(ip: string): string | null {
  const bare = ip.replace(/%.*$/, ""); // drop an IPv6 zone id
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  const v4 = mapped?.[1] ?? (isIP(bare) === 4 ? bare : null);
  if (v4 !== null) {
    const [a, b] = v4.split(".");
    return `4:${a}.${b}`;
  }
  if (isIP(bare) !== 6 || bare.includes(".")) return null;
  const groups = expandIPv6(bare.toLowerCase());
  if (groups === null) return null;
  return `6:${groups
    .slice(0, 3)
    .map((g) => g.toString(16))
    .join(":")}`;
}

/** One kind of change, as written to `refresh.context_changed` / `refresh.context_mismatch` (`data.changed`). */
export type ContextChange = "ip_prefix" | "browser_family";

/**
 * What changed between the login context and a refresh's: `[]`, `["ip_prefix"]`,
 * `["browser_family"]` or both. The comparison is always against the login context (not the last
 * refresh), so a session cannot drift step by step into another network.
 *
 * @example
 * contextChanges({ ip: "10.0.0.1", userAgent: chrome }, { ip: "10.0.9.9", userAgent: chrome }); // []
 * contextChanges({ ip: "10.0.0.1", userAgent: chrome }, { ip: "10.1.0.1", userAgent: firefox }); // ["ip_prefix", "browser_family"]
 */
export function contextChanges(login: ClientContext, now: ClientContext): ContextChange[] {
  const changes: ContextChange[] = [];
  if (login.ip !== null && now.ip !== null) {
    const before = networkOf(login.ip) ?? login.ip;
    const after = networkOf(now.ip) ?? now.ip;
    if (before !== after) changes.push("ip_prefix");
  }
  if (login.userAgent !== null) {
    const after = now.userAgent === null ? null : browserFamily(now.userAgent);
    if (browserFamily(login.userAgent) !== after) changes.push("browser_family");
  }
  return changes;
}
