import { hkdfSync } from "node:crypto";
import {
  type Clock,
  createDpopNonces,
  DPOP_ALGORITHMS,
  type DpopNonces,
  type DpopReplayCache,
  type Store,
  storeReplayCache,
  type VerifiedDpopProof,
  verifyDpopProof,
} from "@tessera/core";
import type { FastifyRequest } from "fastify";
import type { Redis } from "ioredis";
import { redisReplayCache } from "./redis-replay.js";

/** DPoP settings of the server (RFC 9449). */
export interface DpopOptions {
  /** Demand a server nonce (`DPoP-Nonce`, RFC 9449 §8–9) in every proof. Default false. */
  requireNonce?: boolean;
  /** How far a proof's `iat` may be from now, ms. Default 60 000. */
  windowMs?: number;
}

/** What routes need to check DPoP proofs; built once per server. */
export interface ServerDpop {
  readonly algorithms: readonly string[];
  /** Set when nonces are required: the nonce to hand out in `DPoP-Nonce`. */
  readonly nonces: DpopNonces | undefined;
  /** Whether the request carries a `DPoP` header at all. */
  present(request: FastifyRequest): boolean;
  /** Check the request's proof; rejects with `DpopError`. */
  check(
    request: FastifyRequest,
    bound?: { accessToken?: string; expectedJkt?: string },
  ): Promise<VerifiedDpopProof>;
}

const NONCE_INFO = "tessera/dpop-nonce/v1";

/** Every value of the `DPoP` header, counted on the raw list (Node would join or drop repeats). */
function dpopHeaders(request: FastifyRequest): string[] {
  const raw = request.raw.rawHeaders;
  const values: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() === "dpop") values.push(raw[i + 1] ?? "");
  }
  return values;
}

/**
 * The server's DPoP checker. Proofs must name the public URL: the issuer's base plus the request
 * path (so behind a TLS-terminating proxy `htu` is the URL the client used, never the inner
 * one). Proof ids go to Redis when configured, else to the store — either way shared by every
 * instance. Nonces are stateless HMACs under a key derived from the master key, so every
 * instance accepts every other's.
 *
 * @example
 * const dpop = createServerDpop({ issuer, store, redis, clock, masterKey, options: {} });
 * const { jkt } = await dpop.check(request);
 */
export function createServerDpop(input: {
  issuer: string;
  store: Store;
  redis: Redis | null;
  clock: Clock;
  /** Needed only when nonces are required. */
  masterKey: () => Uint8Array;
  options: DpopOptions;
}): ServerDpop {
  const base = input.issuer.replace(/\/+$/, "");
  const replay: DpopReplayCache = input.redis ? redisReplayCache(input.redis) : storeReplayCache(input.store);
  const nonces = input.options.requireNonce
    ? createDpopNonces({
        key: new Uint8Array(hkdfSync("sha256", input.masterKey(), "", NONCE_INFO, 32)),
        clock: input.clock,
      })
    : undefined;
  return {
    algorithms: DPOP_ALGORITHMS,
    nonces,
    present: (request) => dpopHeaders(request).length > 0,
    check(request, bound = {}) {
      return verifyDpopProof({
        header: dpopHeaders(request),
        method: request.method,
        // Under a mount prefix (`tesseraRoutes`), the issuer already ends with it.
        url: `${base}${(request.url.split(/[?#]/)[0] ?? "").slice(request.server.prefix.length)}`,
        now: input.clock.now(),
        replay,
        ...(nonces ? { nonces } : {}),
        ...(input.options.windowMs !== undefined ? { windowMs: input.options.windowMs } : {}),
        ...bound,
      });
    },
  };
}
