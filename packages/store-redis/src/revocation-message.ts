/**
 * A revocation as it travels over Redis: `user` means every access token of `userId` with an epoch
 * below `epoch` (or, without an epoch claim, issued at or before `at`) is revoked; `session` means
 * every access token of session `sessionId` is. `at` is milliseconds since the epoch.
 */
export type RevocationNotice =
  | { kind: "user"; userId: string; epoch: number; at: number }
  | { kind: "session"; userId: string; sessionId: string; at: number };

/** Wire form; short keys, a version so that the format can change. */
type Wire =
  | { v: 1; k: "u"; sub: string; epoch: number; at: number }
  | { v: 1; k: "s"; sub: string; sid: string; at: number };

export function encodeNotice(notice: RevocationNotice): string {
  const wire: Wire =
    notice.kind === "user"
      ? { v: 1, k: "u", sub: notice.userId, epoch: notice.epoch, at: notice.at }
      : { v: 1, k: "s", sub: notice.userId, sid: notice.sessionId, at: notice.at };
  return JSON.stringify(wire);
}

const isId = (value: unknown): value is string =>
  typeof value === "string" && value.length > 0 && value.length <= 256;
const isCount = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/** The notice in `text`, or null when it is not one (malformed input is ignored, never trusted). */
export function decodeNotice(text: string): RevocationNotice | null {
  let wire: unknown;
  try {
    wire = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof wire !== "object" || wire === null) return null;
  const w = wire as Record<string, unknown>;
  if (w.v !== 1 || !isId(w.sub) || !isCount(w.at)) return null;
  if (w.k === "u" && isCount(w.epoch)) return { kind: "user", userId: w.sub, epoch: w.epoch, at: w.at };
  if (w.k === "s" && isId(w.sid)) return { kind: "session", userId: w.sub, sessionId: w.sid, at: w.at };
  return null;
}

export function validateNotice(notice: RevocationNotice): void {
  if (decodeNotice(encodeNotice(notice)) === null) throw new TypeError("invalid revocation notice");
}
