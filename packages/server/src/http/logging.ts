import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";

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

/** The fields of the one line written per request: never a header, cookie, body or query string. */
export interface RequestLine {
  reqId: string;
  method: string;
  path: string;
  route: string;
  status: number;
  ms: number;
}

/**
 * The server's loggers over one destination: `logger` (redacting, for Fastify and everything
 * else), and `requestLine`, which writes the per-request line through a logger without redaction
 * or serializers. That line is built from the fixed fields above only, so redacting it would be
 * pure cost (a wildcard walk per request).
 *
 * @example
 * const { logger, requestLine } = createLoggers("info");
 * requestLine({ reqId: "req-1", method: "GET", path: "/healthz", route: "/healthz", status: 200, ms: 1 });
 */
export function createLoggers(
  level: string,
  stream?: DestinationStream,
): { logger: Logger; requestLine: (line: RequestLine) => void } {
  const destination = stream ?? pino.destination({ dest: 1, sync: true });
  const { stream: _ignored, ...options } = loggerOptions(level, destination);
  const logger = pino(options, destination);
  const plain = pino({ level }, destination);
  return {
    logger,
    requestLine: (line) => {
      // The path is cut at "?" by the caller, and each field is a string or number it built.
      plain.info(line, "request");
    },
  };
}
