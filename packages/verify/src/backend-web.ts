import { type CryptoKey, importJWK } from "jose";
import { ALGORITHMS, type AlgorithmSpec } from "./algorithms.js";
import type { CryptoBackend, ImportedKey } from "./backend.js";
import { decodeBase64url } from "./base64url.js";
import type { CheckedJwk } from "./jwk.js";

interface WebHandle {
  spec: AlgorithmSpec;
  key: CryptoKey;
  params: AlgorithmIdentifier | RsaPssParams | EcdsaParams;
  length: number | null;
}

const HASH_NAME = { sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" } as const;
const HASH_BYTES = { sha256: 32, sha384: 48, sha512: 64 } as const;
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The signing input is ASCII for every JWS; mapping char codes keeps arbitrary bytes exact too. */
function latin1Bytes(text: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

async function importWebKey({ alg, jwk }: CheckedJwk): Promise<WebHandle> {
  const spec = ALGORITHMS[alg];
  if (spec.kind === "hmac") {
    const secret = decodeBase64url(jwk.k as string) as Uint8Array<ArrayBuffer>;
    const key = await crypto.subtle.importKey(
      "raw",
      secret,
      { name: "HMAC", hash: HASH_NAME[spec.hash] },
      false,
      ["verify"],
    );
    return { spec, key, params: "HMAC", length: spec.signatureLength };
  }
  const key = await importJWK({ ...jwk }, alg, { extractable: false });
  if (key instanceof Uint8Array) throw new Error("expected an asymmetric key");
  switch (spec.kind) {
    case "eddsa":
      return { spec, key, params: "Ed25519", length: 64 };
    case "ecdsa":
      return {
        spec,
        key,
        params: { name: "ECDSA", hash: HASH_NAME[spec.hash] },
        length: spec.signatureLength,
      };
    case "rsa-pkcs1":
      return { spec, key, params: "RSASSA-PKCS1-v1_5", length: rsaLength(key) };
    case "rsa-pss":
      return {
        spec,
        key,
        params: { name: "RSA-PSS", saltLength: HASH_BYTES[spec.hash] },
        length: rsaLength(key),
      };
  }
}

function rsaLength(key: CryptoKey): number | null {
  const bits = (key.algorithm as RsaHashedKeyAlgorithm).modulusLength;
  return typeof bits === "number" ? Math.ceil(bits / 8) : null;
}

/**
 * Web Crypto backend for runtimes without `node:crypto`: keys imported through `jose`, checked
 * with `crypto.subtle.verify`.
 *
 * @example
 * const key = await webBackend.importKey(checked);
 * await webBackend.verify(key, "header.payload", signatureBytes);
 */
export const webBackend: CryptoBackend = {
  name: "webcrypto",
  decode: decodeBase64url,
  utf8: (bytes) => {
    try {
      return utf8Decoder.decode(bytes);
    } catch {
      return null;
    }
  },
  importKey: async (checked): Promise<ImportedKey> => ({
    kid: checked.kid,
    alg: checked.alg,
    handle: await importWebKey(checked),
  }),
  async verify(key, signingInput, signature) {
    const h = key.handle as WebHandle;
    if (h.length !== null && signature.length !== h.length) return false;
    try {
      return await crypto.subtle.verify(
        h.params,
        h.key,
        signature as Uint8Array<ArrayBuffer>,
        latin1Bytes(signingInput),
      );
    } catch {
      return false;
    }
  },
};
