import { REFRESH_COOKIE } from "../http/refresh-cookie.js";

export interface InstanceCall {
  json?: unknown;
  headers?: Record<string, string>;
  bearer?: string;
  /** The refresh cookie's value, sent as `Cookie`. */
  refresh?: string;
  /** Client address the instance sees (sent as `X-Forwarded-For`; the instance trusts loopback). */
  ip?: string;
}

export interface InstanceAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  body: any;
  /** The refresh cookie's value when the answer set one (and not to clear it). */
  refresh: string | undefined;
}

/**
 * One HTTP request to a spawned instance (`base` is its URL); JSON answers parsed.
 *
 * @example
 * const res = await callInstance(instance.url, "POST", "/auth/login", { json: { email, password } });
 */
export async function callInstance(
  base: string,
  method: string,
  path: string,
  init: InstanceCall = {},
): Promise<InstanceAnswer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.json !== undefined) headers["content-type"] = "application/json";
  if (init.bearer !== undefined) headers.authorization = `Bearer ${init.bearer}`;
  if (init.refresh !== undefined) headers.cookie = `${REFRESH_COOKIE}=${init.refresh}`;
  if (init.ip !== undefined) headers["x-forwarded-for"] = init.ip;
  const res = await fetch(new URL(path, base), {
    method,
    headers,
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    redirect: "manual",
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    body = null;
  }
  const refresh = res.headers
    .getSetCookie()
    .map((line) => line.split(";")[0] ?? "")
    .filter((pair) => pair.startsWith(`${REFRESH_COOKIE}=`))
    .map((pair) => pair.slice(REFRESH_COOKIE.length + 1))
    .find((value) => value !== "");
  return { status: res.status, headers: res.headers, body, refresh };
}

let ipCounter = 0;
/**
 * A client address no other test in this process uses, so per-IP budgets never collide.
 *
 * @example
 * const ip = freshClientIp(); // "198.18.0.1"
 */
export function freshClientIp(): string {
  ipCounter += 1;
  return `198.18.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
}
