/**
 * A short browser-and-platform label from a user-agent string ("Chrome on Linux"); the raw
 * string stays available as a tooltip.
 *
 * @example
 * describeUserAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) … Safari/604.1"); // "Safari on iPhone"
 */
export function describeUserAgent(userAgent: string | null): string {
  if (userAgent === null || userAgent === "") return "Unknown device";
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? "Browser";
  const platform = PLATFORMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  return platform === undefined ? browser : `${browser} on ${platform}`;
}

// Order matters: Edge and Chrome also say "Safari", Chrome says "Chrome" in headless mode too.
const BROWSERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/Edg\//, "Edge"],
  [/Firefox\//, "Firefox"],
  [/HeadlessChrome\//, "Headless Chrome"],
  [/Chrome\/|Chromium\//, "Chrome"],
  [/Safari\//, "Safari"],
  [/curl\//, "curl"],
  [/^node|undici/i, "Node.js"],
];

const PLATFORMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/iPhone/, "iPhone"],
  [/iPad/, "iPad"],
  [/Android/, "Android"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/Linux/, "Linux"],
];

/**
 * "just now", "5 min ago", "3 h ago", or a date for anything older than a day.
 *
 * @example
 * timeAgo(new Date(Date.now() - 120_000).toISOString(), Date.now()); // "2 min ago"
 */
export function timeAgo(iso: string, now: number): string {
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return "unknown";
  if (seconds < 45) return "just now";
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

/**
 * The local clock time of an epoch-seconds claim, e.g. `14:03:27`.
 *
 * @example
 * clockTime(1_700_000_000); // "22:13:20" (in UTC)
 */
export function clockTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toLocaleTimeString([], { hour12: false });
}
