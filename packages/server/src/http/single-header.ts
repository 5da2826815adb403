import type { FastifyRequest } from "fastify";
import { HttpError } from "./http-error.js";

/**
 * The value of a header that must appear at most once. Node keeps only the first of some
 * duplicated headers (e.g. `Authorization`), so the raw header list is counted: a repeated
 * header is `invalid_request`, never silently "the first one wins".
 *
 * @example
 * const auth = singleHeader(request, "authorization"); // string | undefined
 */
export function singleHeader(request: FastifyRequest, name: string): string | undefined {
  const raw = request.raw.rawHeaders;
  let value: string | undefined;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() === name) {
      count += 1;
      value = raw[i + 1];
    }
  }
  if (count > 1) throw new HttpError("invalid_request");
  return value;
}
