import { isUtf8 } from "node:buffer";
import {
  constants,
  createHmac,
  createPublicKey,
  createSecretKey,
  type KeyObject,
  timingSafeEqual,
  verify,
} from "node:crypto";
import { ALGORITHMS, type AlgorithmSpec } from "./algorithms.js";
import type { CryptoBackend, ImportedKey } from "./backend.js";
import type { CheckedJwk } from "./jwk.js";

/** What `crypto.verify` needs, built once per key so the hot path allocates nothing but the input buffer. */
interface NodeHandle {
  spec: AlgorithmSpec;
  key: KeyObject;
  input:
    | KeyObject
    | { key: KeyObject; dsaEncoding: "ieee-p1363" }
    | { key: KeyObject; padding: number; saltLength: number };
  hash: string | null;
  /** Exact signature length in bytes. */
  length: number;
}

const CURVE_NAMES: Record<string, string> = {
  "P-256": "prime256v1",
  "P-384": "secp384r1",
  "P-521": "secp521r1",
};

function importNodeKey({ alg, jwk }: CheckedJwk): NodeHandle {
  const spec = ALGORITHMS[alg];
  if (spec.kind === "hmac") {
    const key = createSecretKey(Buffer.from(jwk.k as string, "base64url"));
    return { spec, key, input: key, hash: spec.hash, length: spec.signatureLength };
  }
  // createPublicKey validates the key (OpenSSL refuses EC points off the curve).
  const key = createPublicKey({ key: { ...jwk }, format: "jwk" });
  const details = key.asymmetricKeyDetails ?? {};
  switch (spec.kind) {
    case "eddsa":
      if (key.asymmetricKeyType !== "ed25519") throw new Error("not an Ed25519 key");
      return { spec, key, input: key, hash: null, length: 64 };
    case "ecdsa":
      if (key.asymmetricKeyType !== "ec" || details.namedCurve !== CURVE_NAMES[spec.crv]) {
        throw new Error("wrong curve");
      }
      return {
        spec,
        key,
        input: { key, dsaEncoding: "ieee-p1363" },
        hash: spec.hash,
        length: spec.signatureLength,
      };
    case "rsa-pkcs1":
    case "rsa-pss": {
      if (key.asymmetricKeyType !== "rsa") throw new Error("not an RSA key");
      const length = Math.ceil((details.modulusLength ?? 0) / 8);
      const input =
        spec.kind === "rsa-pss"
          ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
          : key;
      return { spec, key, input, hash: spec.hash, length };
    }
  }
}

/**
 * `node:crypto` backend: synchronous `crypto.verify` on `KeyObject`s imported once; ECDSA
 * signatures are checked in their JOSE form (`ieee-p1363`, r‖s) without DER conversion.
 *
 * @example
 * const key = await nodeBackend.importKey(checked);
 * nodeBackend.verify(key, "header.payload", signatureBytes);
 */
export const nodeBackend: CryptoBackend = {
  name: "node",
  decode(segment) {
    // Node's decoder is lenient (padding, `+` `/`, stray characters, unused bits); the canonical
    // spelling is the one that encodes back to itself. Cheaper than a grammar regex over the token.
    const bytes = Buffer.from(segment, "base64url");
    return bytes.toString("base64url") === segment ? bytes : null;
  },
  utf8: (bytes) =>
    isUtf8(bytes) ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8") : null,
  importKey: async (checked): Promise<ImportedKey> => ({
    kid: checked.kid,
    alg: checked.alg,
    handle: importNodeKey(checked),
  }),
  verify(key, signingInput, signature) {
    const h = key.handle as NodeHandle;
    // Exact length first: trailing zeros, truncation and DER-in-place-of-P1363 all fail here.
    if (signature.length !== h.length) return false;
    const data = Buffer.from(signingInput, "latin1");
    try {
      if (h.spec.kind === "hmac") {
        const mac = createHmac(h.hash as string, h.key)
          .update(data)
          .digest();
        return timingSafeEqual(mac, signature);
      }
      return verify(h.hash, data, h.input, signature);
    } catch {
      return false;
    }
  },
};
