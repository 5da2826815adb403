import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { HttpError } from "./http-error.js";
import type { FailureBudget } from "./rate-limits.js";
import { singleHeader } from "./single-header.js";

const CHALLENGE = { "www-authenticate": 'Basic realm="tessera", charset="UTF-8"' };

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/**
 * Checks HTTP Basic resource-server credentials (RFC 6749 §2.3.1 encoding) against
 * `TESSERA_RESOURCE_SECRETS`, comparing every configured pair in constant time. Returns the
 * caller's id; anything else is 401 `invalid_client` with a `WWW-Authenticate: Basic` challenge.
 *
 * @example
 * const resourceId = requireResourceCredential(request, config.resourceSecrets);
 */
export function requireResourceCredential(
  request: FastifyRequest,
  credentials: ReadonlyArray<{ id: string; secret: string }>,
): string {
  let header: string | undefined;
  try {
    header = singleHeader(request, "authorization");
  } catch {
    throw new HttpError("invalid_client", CHALLENGE);
  }
  const match = header === undefined ? null : /^basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  if (!match?.[1]) throw new HttpError("invalid_client", CHALLENGE);
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw new HttpError("invalid_client", CHALLENGE);
  let id: string;
  let secret: string;
  try {
    id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " "));
    secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " "));
  } catch {
    throw new HttpError("invalid_client", CHALLENGE);
  }
  const idHash = digest(id);
  const secretHash = digest(secret);
  let found: string | null = null;
  for (const credential of credentials) {
    // Both comparisons always run, for every configured credential: no early exit to time.
    const idOk = timingSafeEqual(idHash, digest(credential.id));
    const secretOk = timingSafeEqual(secretHash, digest(credential.secret));
    if (idOk && secretOk) found = credential.id;
  }
  if (found === null) throw new HttpError("invalid_client", CHALLENGE);
  return found;
}

/**
 * {@link requireResourceCredential} behind the per-IP failure budget
 * (`TESSERA_RATE_LIMIT_CREDENTIALS`): once an address has spent it, every attempt from there is
 * 429 `rate_limited` with `Retry-After`, before any comparison; a good credential gives its
 * attempt back.
 *
 * @example
 * const resourceId = await authenticateResource(request, config.resourceSecrets, limits.credentials);
 */
export async function authenticateResource(
  request: FastifyRequest,
  credentials: ReadonlyArray<{ id: string; secret: string }>,
  budget: FailureBudget | null,
): Promise<string> {
  await budget?.check(request, "");
  try {
    return requireResourceCredential(request, credentials);
  } catch (error) {
    await budget?.spend(request, "");
    throw error;
  }
}
