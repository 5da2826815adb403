import { isTesseraError, type TesseraErrorCode } from "@tessera/core";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ERROR_TABLE, type ServerErrorCode } from "./error-table.js";
import { HttpError } from "./http-error.js";

type AnyCode = ServerErrorCode | TesseraErrorCode;

/** Which table row an error belongs to, and any headers it brings (e.g. `WWW-Authenticate`). */
export function classifyError(error: unknown): { code: AnyCode; headers: Readonly<Record<string, string>> } {
  if (error instanceof HttpError) return { code: error.code, headers: error.headers };
  if (isTesseraError(error)) return { code: error.code, headers: {} };
  const status = (error as Partial<FastifyError> | null)?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    // Fastify's own errors (bad JSON, body too large, bad content type, …) are client errors.
    const byStatus: Record<number, ServerErrorCode> = {
      404: "not_found",
      405: "method_not_allowed",
      413: "payload_too_large",
      415: "unsupported_media_type",
      429: "rate_limited",
    };
    return { code: byStatus[status] ?? "invalid_request", headers: {} };
  }
  return { code: "server_error", headers: {} };
}

/**
 * Sends `{error, message}` for a table code. Answers under `/oauth/` also carry RFC 6749's
 * `error_description`.
 *
 * @example
 * sendError(request, reply, "not_found");
 */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  code: AnyCode,
  headers: Readonly<Record<string, string>> = {},
): FastifyReply {
  const entry = ERROR_TABLE[code];
  const body: Record<string, string> = { error: entry.wire, message: entry.message };
  if ((request.routeOptions?.url ?? request.url).startsWith("/oauth/"))
    body.error_description = entry.message;
  reply.headers(headers);
  return reply.code(entry.status).type("application/json; charset=utf-8").send(body);
}

/**
 * Installs the error, not-found and framework-error handlers: every failure leaves as the
 * documented JSON, never a stack trace or an echo of the input. Unexpected errors are logged
 * (without request data) and answered `server_error`.
 */
export function installErrorHandling(app: FastifyInstance, allowedMethods: (path: string) => string[]): void {
  app.setErrorHandler((error, request, reply) => {
    const { code, headers } = classifyError(error);
    if (ERROR_TABLE[code].status >= 500) {
      request.log.error({ err: error }, "request failed");
    }
    return sendError(request, reply, code, headers);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    const methods = allowedMethods(path);
    if (methods.length > 0)
      return sendError(request, reply, "method_not_allowed", { allow: methods.join(", ") });
    return sendError(request, reply, "not_found");
  });
}
