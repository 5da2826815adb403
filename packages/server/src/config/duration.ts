const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * Parses an `ms`-style duration (`500ms`, `2s`, `15m`, `12h`, `7d`, `2w`; a bare number is
 * milliseconds) into milliseconds. Returns `null` for anything else, so the caller can name the
 * variable in its error.
 *
 * @example
 * parseDuration("15m"); // 900000
 * parseDuration("soon"); // null
 */
export function parseDuration(text: string): number | null {
  const match = /^(\d{1,12})(ms|s|m|h|d|w)?$/.exec(text.trim());
  if (!match) return null;
  const value = Number(match[1]);
  const unit = (match[2] ?? "ms") as keyof typeof UNIT_MS;
  const ms = value * UNIT_MS[unit];
  return Number.isSafeInteger(ms) ? ms : null;
}

/** A request budget: at most `max` in every `windowMs`. */
export interface RateLimitRule {
  max: number;
  windowMs: number;
  /**
   * A failure budget (lock-out): an in-memory counter that is full never drops a live window of
   * it to make room, it refuses new keys instead.
   */
  failClosed?: boolean;
}

/**
 * Parses a rate-limit rule `<count>/<duration>` (`10/15m`), or `off` (→ `null`, limiting disabled).
 * Returns `undefined` when the text is neither.
 *
 * @example
 * parseRateLimit("10/15m"); // { max: 10, windowMs: 900000 }
 * parseRateLimit("off");    // null
 */
export function parseRateLimit(text: string): RateLimitRule | null | undefined {
  const trimmed = text.trim();
  if (trimmed === "off") return null;
  const match = /^(\d{1,9})\/(.+)$/.exec(trimmed);
  if (!match) return undefined;
  const max = Number(match[1]);
  const windowMs = parseDuration(match[2] ?? "");
  if (max < 1 || windowMs === null || windowMs < 1_000) return undefined;
  return { max, windowMs };
}
