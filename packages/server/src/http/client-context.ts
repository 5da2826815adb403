import type { ClientContext } from "@tessera/core";
import type { FastifyRequest } from "fastify";
import { printable } from "../printable.js";

const MAX_USER_AGENT = 512;

/**
 * The caller as far as HTTP can tell: the client IP (`request.ip`, which honours
 * `TESSERA_TRUST_PROXY`) and the user agent with its control and bidi characters escaped
 * (`\u{…}`, so the session list, the audit trail and the CLI never carry them raw), truncated to
 * 512 characters.
 *
 * @example
 * await tessera.login({ email, password, context: clientContext(request) });
 */
export function clientContext(request: FastifyRequest): ClientContext {
  const ua = request.headers["user-agent"];
  return {
    ip: request.ip || null,
    userAgent: typeof ua === "string" && ua !== "" ? printable(ua).slice(0, MAX_USER_AGENT) : null,
  };
}
