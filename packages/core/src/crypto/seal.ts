import { createCipheriv, createDecipheriv, createHmac, createSecretKey, type KeyObject } from "node:crypto";
import { randomFromPool } from "./random-pool.js";

/**
 * Authenticated encryption for values the store keeps on our behalf (private signing keys, grace
 * successors). AES-256-GCM with a fresh 96-bit IV per seal; the additional data binds a sealed
 * value to the record it belongs to, so a sealed blob copied onto another row does not open.
 *
 * Format: `v1.<iv>.<ciphertext+tag>` (base64url parts), so the scheme can change later.
 */

const VERSION = "v1";

// Node 22+ turns a key given as bytes into a key object on every `createHmac` / `createCipheriv`
// call, which costs there 10–13 µs a call (Node 24: HMAC 12.8 µs with a Buffer key, 2.0 µs with a
// KeyObject; AES-GCM 15.8 vs 2.9 µs); Node 20 takes bytes directly (2.0 µs either way) and making
// the KeyObject first only adds its ~1.5 µs. So a key used once (per refresh: the grace key and
// its HKDF pseudo-random key) is wrapped only where that pays. Node 22 was not measured.
const WRAP_KEYS = Number(process.versions.node.split(".")[0]) >= 22;

/**
 * A 32-byte key as `createHmac` / `createCipheriv` take it fastest on this Node (see WRAP_KEYS).
 * For a key used many times, make a `KeyObject` once with `createSecretKey` instead.
 *
 * @example
 * createHmac("sha256", keyInput(prk));
 */
export function keyInput(key: Uint8Array | KeyObject): Uint8Array | KeyObject {
  return WRAP_KEYS && !isKeyObject(key) ? createSecretKey(key) : key;
}

function isKeyObject(key: Uint8Array | KeyObject): key is KeyObject {
  return !(key instanceof Uint8Array);
}
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seal `plaintext` under a 32-byte key, bound to `aad`.
 *
 * @example
 * const sealed = seal(key, Buffer.from("secret"), "kid-1");
 */
export function seal(key: Uint8Array | KeyObject, plaintext: Uint8Array, aad: string): string {
  const iv = randomFromPool(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyInput(key), iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${iv.toString("base64url")}.${body.toString("base64url")}`;
}

/**
 * Open a value made by {@link seal}. Returns `null` when it does not open (wrong key, wrong
 * `aad`, tampered or malformed), never throws for those: callers decide what that means.
 *
 * @example
 * const plain = open(key, sealed, "kid-1"); // Buffer | null
 */
export function open(key: Uint8Array | KeyObject, sealed: string, aad: string): Buffer | null {
  const parts = sealed.split(".");
  if (parts.length !== 3 || parts[0] !== VERSION) return null;
  const iv = Buffer.from(parts[1] ?? "", "base64url");
  const body = Buffer.from(parts[2] ?? "", "base64url");
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyInput(key), iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}

/**
 * HKDF-SHA256 to a 32-byte key. Each use of the master key gets its own `info` label, so the key
 * that seals signing keys is never the key that makes CSRF tokens.
 *
 * @example
 * const csrfKey = deriveKey(masterKey, "", "tessera/csrf/v1");
 */
export function deriveKey(ikm: Uint8Array | string, salt: Uint8Array | string, info: string): Buffer {
  // RFC 5869 written out for one output block (32 bytes = one SHA-256): the same bytes as
  // `hkdfSync("sha256", ikm, salt, info, 32)`, without the KeyObjects it builds on every call
  // (this runs once per refresh, for the grace key). An empty salt is HashLen zero bytes, which
  // HMAC pads an empty key to anyway.
  const prk = createHmac("sha256", salt).update(ikm).digest();
  return createHmac("sha256", keyInput(prk)).update(info, "utf8").update(BLOCK_ONE).digest();
}

const BLOCK_ONE = Buffer.of(1);
