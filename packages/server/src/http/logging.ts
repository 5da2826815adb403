import type { DestinationStream, LoggerOptions } from "pino";

/** Field names that may carry a credential; redacted wherever they appear in a log object. */
const SECRET_FIELDS = [
  "authorization",
  "cookie",
  "set-cookie",
  "password",
  "current_password",
  "new_password",
  "access_token",
  "refresh_token",
  "csrf_token",
  "token",
  "x-csrf-token",
];

/**
 * Pino options for the server. Request lines carry method, path (no query string), route, status
 * and time only — never headers, cookies or bodies — and credential-named fields are redacted as
 * a second line of defence.
 *
 * @example
 * Fastify({ logger: loggerOptions("info") });
 */
export function loggerOptions(
  level: string,
  stream?: DestinationStream,
): LoggerOptions & { stream?: DestinationStream } {
  const paths = SECRET_FIELDS.flatMap((field) =>
    /^[a-z_]+$/.test(field)
      ? [field, `*.${field}`, `*.*.${field}`]
      : [`["${field}"]`, `*["${field}"]`, `*.*["${field}"]`],
  );
  return {
    level,
    redact: { paths, censor: "[redacted]" },
    serializers: {
      req: (req: { method?: string; url?: string }) => ({
        method: req.method,
        path: (req.url ?? "").split("?")[0],
      }),
      res: (res: { statusCode?: number }) => ({ status: res.statusCode }),
    },
    ...(stream ? { stream } : {}),
  };
}
