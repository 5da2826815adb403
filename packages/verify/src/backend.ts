import type { Algorithm } from "./algorithms.js";
import type { CheckedJwk } from "./jwk.js";

/** A key imported once by a backend; `handle` is the backend's own key object. */
export interface ImportedKey {
  readonly kid: string | undefined;
  readonly alg: Algorithm;
  readonly handle: unknown;
}

/**
 * The runtime-specific half of verification: decoding and signature checks. Node uses
 * `node:crypto` synchronously (measured fastest); other runtimes use Web Crypto through `jose`.
 */
export interface CryptoBackend {
  readonly name: "node" | "webcrypto";
  /**
   * Decode strict base64url (RFC 7515 §2: `A–Z a–z 0–9 - _`, no padding, zero unused bits), or
   * `null` for any other spelling: one token must have one spelling (RFC 8725bis §3.15).
   */
  decode(segment: string): Uint8Array | null;
  /** Decode UTF-8, or `null` if the bytes are not valid UTF-8 (RFC 8725bis §3.7). */
  utf8(bytes: Uint8Array): string | null;
  /** Import a checked JWK; rejects if the runtime refuses the key (e.g. a point off the curve). */
  importKey(key: CheckedJwk): Promise<ImportedKey>;
  /** Check a signature made with `key.alg` over the ASCII `signingInput`. Never throws. */
  verify(key: ImportedKey, signingInput: string, signature: Uint8Array): boolean | Promise<boolean>;
}

let selected: Promise<CryptoBackend> | undefined;

/**
 * The backend for this runtime, loaded once: `node:crypto` where `process.versions.node` exists
 * (Node, and Bun/Deno in Node mode), Web Crypto elsewhere (browsers, workers, edge runtimes).
 *
 * @example
 * const backend = await loadBackend();
 */
export function loadBackend(): Promise<CryptoBackend> {
  selected ??=
    typeof globalThis.process?.versions?.node === "string"
      ? import("./backend-node.js").then((m) => m.nodeBackend)
      : import("./backend-web.js").then((m) => m.webBackend);
  return selected;
}
