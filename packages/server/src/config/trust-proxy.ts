import { isIP } from "node:net";
import { commaList } from "./comma-list.js";
import type { TrustProxy } from "./server-config.js";

/**
 * Parses `TESSERA_TRUST_PROXY`: off (`""`, `false`, `0`), a hop count, or a comma list of proxy
 * addresses, CIDRs and the names `loopback`, `linklocal`, `uniquelocal`. `undefined` for anything
 * else (`true` included: trusting every hop lets any client pick its address).
 *
 * @example
 * parseTrustProxy("10.0.0.0/8, loopback"); // ["10.0.0.0/8", "loopback"]
 */
export function parseTrustProxy(text: string): TrustProxy | undefined {
  if (text === "" || text === "false" || text === "0") return false;
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const entries = commaList(text);
  const named = new Set(["loopback", "linklocal", "uniquelocal"]);
  const valid = entries.every((entry) => {
    if (named.has(entry)) return true;
    const [address = "", prefix, ...rest] = entry.split("/");
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return false;
    if (prefix === undefined) return true;
    const bits = Number(prefix);
    return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
  });
  return valid && entries.length > 0 ? entries : undefined;
}
