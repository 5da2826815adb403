/**
 * DPoP proofs (RFC 9449) for native and Node clients, made with Web Crypto only (browsers, Node
 * ≥ 20, Deno, Bun, React Native with a Web Crypto polyfill). The private key is generated
 * non-extractable and never leaves the prover; keep one prover for the life of a session, since
 * the session is bound to its key.
 */

/** Proof algorithms the prover can use. */
export type DpopProverAlgorithm = "ES256" | "EdDSA";

/** Options of {@link createDpopProver}. */
export interface DpopProverOptions {
  /** Default `ES256` (P-256), the algorithm every platform's Web Crypto supports. */
  alg?: DpopProverAlgorithm;
  /** Milliseconds since the epoch; default `Date.now` (inject for tests or a server-corrected clock). */
  now?: () => number;
  /**
   * A key pair kept from an earlier prover (`prover.keyPair`, e.g. stored in IndexedDB, which
   * keeps non-extractable `CryptoKey`s as they are), so a bound session survives a restart.
   * Default: a new pair.
   */
  keyPair?: CryptoKeyPair;
}

/** Extras of one proof. */
export interface DpopProofExtras {
  /** The access token the request carries: adds its hash (`ath`), as resource requests need. */
  accessToken?: string;
  /** The server's latest `DPoP-Nonce`, when it demands one. */
  nonce?: string;
}

/** A key pair that signs DPoP proofs. */
export interface DpopProver {
  /** RFC 7638 SHA-256 thumbprint of the public key: what bound tokens carry as `cnf.jkt`. */
  readonly jkt: string;
  /** The public key, as it appears in every proof's header. */
  readonly publicJwk: JsonWebKey;
  /** The key pair (private half non-extractable), to store and pass back as `keyPair` later. */
  readonly keyPair: CryptoKeyPair;
  /** A fresh proof (new `jti`, current `iat`) for one request; send it as the `DPoP` header. */
  proof(method: string, url: string | URL, extras?: DpopProofExtras): Promise<string>;
}

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const b64json = (value: unknown): string => base64url(encoder.encode(JSON.stringify(value)));

async function sha256(text: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text))));
}

/** The request URI as `htu` carries it: no query, no fragment (RFC 9449 §4.2). */
function htuOf(url: string | URL): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/**
 * Create a DPoP prover with a new key pair.
 *
 * @example
 * import { createDpopProver } from "@tessera/client/dpop";
 * const prover = await createDpopProver();
 * const login = await fetch("https://auth.example.com/auth/login", {
 *   method: "POST",
 *   headers: { "content-type": "application/json", dpop: await prover.proof("POST", "https://auth.example.com/auth/login") },
 *   body: JSON.stringify({ email, password, token_delivery: "body" }),
 * });
 * const { access_token } = await login.json(); // token_type "DPoP", bound to prover.jkt
 * await fetch("https://api.example.com/orders", {
 *   headers: {
 *     authorization: `DPoP ${access_token}`,
 *     dpop: await prover.proof("GET", "https://api.example.com/orders", { accessToken: access_token }),
 *   },
 * });
 */
export async function createDpopProver(options: DpopProverOptions = {}): Promise<DpopProver> {
  const alg = options.alg ?? "ES256";
  const now = options.now ?? Date.now;
  let generate: EcKeyGenParams | Algorithm;
  let signing: EcdsaParams | Algorithm;
  if (alg === "ES256") {
    generate = { name: "ECDSA", namedCurve: "P-256" };
    signing = { name: "ECDSA", hash: "SHA-256" };
  } else if (alg === "EdDSA") {
    generate = { name: "Ed25519" };
    signing = { name: "Ed25519" };
  } else {
    throw new TypeError("createDpopProver: alg must be ES256 or EdDSA");
  }
  const pair =
    options.keyPair ??
    ((await crypto.subtle.generateKey(generate, false, ["sign", "verify"])) as CryptoKeyPair);
  if (pair.privateKey.algorithm.name !== generate.name) {
    throw new TypeError(`createDpopProver: keyPair is not a ${alg} key pair`);
  }
  const { crv, kty, x, y } = await crypto.subtle.exportKey("jwk", pair.publicKey);
  if (typeof crv !== "string" || typeof kty !== "string" || typeof x !== "string") {
    throw new TypeError("createDpopProver: the platform exported an unexpected public key");
  }
  // Only the members RFC 7638 names, in its order: the header key and the thumbprint agree.
  const publicJwk: JsonWebKey = alg === "ES256" ? { crv, kty, x, y: y ?? "" } : { crv, kty, x };
  const jkt = await sha256(JSON.stringify(publicJwk));
  const header = b64json({ typ: "dpop+jwt", alg, jwk: publicJwk });

  return {
    jkt,
    publicJwk,
    keyPair: pair,
    async proof(method, url, extras = {}) {
      const claims: Record<string, unknown> = {
        jti: base64url(crypto.getRandomValues(new Uint8Array(16))),
        htm: method.toUpperCase(),
        htu: htuOf(url),
        iat: Math.floor(now() / 1000),
      };
      if (extras.accessToken !== undefined) claims.ath = await sha256(extras.accessToken);
      if (extras.nonce !== undefined) claims.nonce = extras.nonce;
      const input = `${header}.${b64json(claims)}`;
      const signature = await crypto.subtle.sign(signing, pair.privateKey, encoder.encode(input));
      // Web Crypto's ECDSA signature is already r‖s (IEEE P1363), the JWS form.
      return `${input}.${base64url(new Uint8Array(signature))}`;
    },
  };
}
