import type { ClientContext } from "@tessera/core";
import type { FastifyRequest } from "fastify";
import { printable } from "../printable.js";

const MAX_USER_AGENT = 512;
/** Longer than any address (an IPv6 with a zone id): only junk passed on by a trusted proxy is cut. */
const MAX_IP = 100;

/**
 * The caller as far as HTTP can tell: the client IP (`request.ip`, which honours
 * `TESSERA_TRUST_PROXY`; it is whatever a trusted proxy wrote, so it is treated as client text
 * too) and the user agent, each with its control and bidi characters escaped (`\u{…}`, so the
 * session list, the audit trail and the CLI never carry them raw) and truncated (100 and 512
 * characters).
 *
 * @example
 * await tessera.login({ email, password, context: clientContext(request) });
 */
export function clientContext(
  request: Pick<FastifyRequest, "headers"> & { ip?: string | undefined },
): ClientContext {
  const ua = request.headers["user-agent"];
  return {
    ip: request.ip ? printable(request.ip).slice(0, MAX_IP) : null,
    userAgent: typeof ua === "string" && ua !== "" ? printable(ua).slice(0, MAX_USER_AGENT) : null,
  };
}
