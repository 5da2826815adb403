import { pbkdf2, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { verify as argon2Verify } from "@node-rs/argon2";
import type { Argon2Pool } from "./argon2-pool.js";
import { sharedHashPool } from "./passwords.js";

/**
 * Password hashes made by another system, accepted by user import and verified once at the
 * user's next login (then replaced by the default hasher's argon2id). Every spelling is parsed
 * strictly and its cost parameters are bounded, so an imported hash can neither crash a login nor
 * make one verification cost more than a few seconds of CPU or 128 MiB of memory.
 *
 * | spelling | bounds |
 * |---|---|
 * | `$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>` (and `$argon2i$`) | m ≤ 131072 (128 MiB), m ≥ 8·p, t ≤ 10, p ≤ 16 |
 * | `$2a$` `$2b$` `$2y$` `<cost>$<53 chars>` (bcrypt) | cost 4–14 |
 * | `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>` | ln 1–20, r 1–32, p 1–16, 128·N·r ≤ 128 MiB, N·r·p ≤ 2²² |
 * | `$pbkdf2-sha256$i=<iterations>$<salt>$<hash>` and passlib's `$pbkdf2-sha256$<rounds>$…` | 1–2,000,000 iterations |
 *
 * Salts and hashes are base64 without padding (passlib's `.` for `+` accepted); every salt is
 * 1–64 bytes and every hash 16–64 bytes (argon2: salt ≥ 8 bytes).
 */
export type LegacyHash =
  | { kind: "argon2id" | "argon2i"; phc: string }
  | { kind: "bcrypt"; modularCrypt: string }
  | { kind: "scrypt"; n: number; r: number; p: number; salt: Buffer; hash: Buffer }
  | { kind: "pbkdf2-sha256"; iterations: number; salt: Buffer; hash: Buffer };

/** Why a hash was refused: an unknown scheme, a known one misspelt, or costs past the bounds. */
export type HashProblem = "unsupported_hash" | "malformed_hash" | "hash_cost_out_of_bounds";

export type ParsedHash = { ok: true; hash: LegacyHash } | { ok: false; reason: HashProblem };

export const LEGACY_HASH_BOUNDS = {
  argon2: { maxMemoryKiB: 131_072, maxTime: 10, maxParallelism: 16 },
  bcrypt: { minCost: 4, maxCost: 14 },
  scrypt: { maxLn: 20, maxR: 32, maxP: 16, maxMemoryBytes: 128 * 1024 * 1024, maxWork: 2 ** 22 },
  pbkdf2: { maxIterations: 2_000_000 },
  saltBytes: { min: 1, max: 64 },
  hashBytes: { min: 16, max: 64 },
} as const;

const B64 = "[A-Za-z0-9+/.]+";
const ARGON2 = new RegExp(
  `^\\$(argon2id|argon2i)\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,3}),p=(\\d{1,3})\\$(${B64})\\$(${B64})$`,
);
const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const SCRYPT = new RegExp(`^\\$scrypt\\$ln=(\\d{1,2}),r=(\\d{1,3}),p=(\\d{1,3})\\$(${B64})\\$(${B64})$`);
const PBKDF2_PHC = new RegExp(`^\\$pbkdf2-sha256\\$i=(\\d{1,10})\\$(${B64})\\$(${B64})$`);
const PBKDF2_PASSLIB = new RegExp(`^\\$pbkdf2-sha256\\$(\\d{1,10})\\$(${B64})\\$(${B64})$`);
const SCHEME = /^\$([a-z0-9-]+)\$/;
const KNOWN_SCHEMES = new Set(["argon2id", "argon2i", "2a", "2b", "2y", "scrypt", "pbkdf2-sha256"]);

/** Base64 without padding, `.` read as `+` (passlib); null when the length cannot be base64. */
function decodeB64(text: string): Buffer | null {
  if (text.length % 4 === 1) return null;
  return Buffer.from(text.replaceAll(".", "+"), "base64");
}

const within = (value: number, min: number, max: number) => value >= min && value <= max;

function saltAndHash(saltText: string, hashText: string, minSalt: number): [Buffer, Buffer] | null {
  const salt = decodeB64(saltText);
  const hash = decodeB64(hashText);
  const { saltBytes, hashBytes } = LEGACY_HASH_BOUNDS;
  if (salt === null || hash === null) return null;
  if (!within(salt.length, Math.max(minSalt, saltBytes.min), saltBytes.max)) return null;
  if (!within(hash.length, hashBytes.min, hashBytes.max)) return null;
  return [salt, hash];
}

const malformed: ParsedHash = { ok: false, reason: "malformed_hash" };
const tooCostly: ParsedHash = { ok: false, reason: "hash_cost_out_of_bounds" };

/**
 * Parse one of the accepted spellings and check its bounds. Never throws.
 *
 * @example
 * parseLegacyHash("$2b$12$…"); // { ok: true, hash: { kind: "bcrypt", … } }
 * parseLegacyHash("md5:…");    // { ok: false, reason: "unsupported_hash" }
 */
export function parseLegacyHash(text: unknown): ParsedHash {
  if (typeof text !== "string" || text.length > 512) return malformed;
  const scheme = SCHEME.exec(text)?.[1];
  if (scheme === undefined || !KNOWN_SCHEMES.has(scheme)) return { ok: false, reason: "unsupported_hash" };
  if (scheme.startsWith("argon2")) return parseArgon2(text);
  if (scheme.startsWith("2")) return parseBcrypt(text);
  if (scheme === "scrypt") return parseScrypt(text);
  return parsePbkdf2(text);
}

function parseArgon2(text: string): ParsedHash {
  const match = ARGON2.exec(text);
  if (!match) return malformed;
  const [, kind, m, t, p, salt, hash] = match as unknown as [string, "argon2id" | "argon2i", ...string[]];
  const [memory, time, lanes] = [Number(m), Number(t), Number(p)];
  const bounds = LEGACY_HASH_BOUNDS.argon2;
  if (time < 1 || lanes < 1 || memory < 8 * lanes) return malformed;
  if (memory > bounds.maxMemoryKiB || time > bounds.maxTime || lanes > bounds.maxParallelism)
    return tooCostly;
  // argon2 salts are at least 8 bytes; PHC base64 has no `.`.
  if (text.includes(".") || saltAndHash(salt ?? "", hash ?? "", 8) === null) return malformed;
  return { ok: true, hash: { kind, phc: text } };
}

function parseBcrypt(text: string): ParsedHash {
  const match = BCRYPT.exec(text);
  if (!match) return malformed;
  const cost = Number(match[1]);
  const { minCost, maxCost } = LEGACY_HASH_BOUNDS.bcrypt;
  if (!within(cost, minCost, maxCost)) return cost < minCost ? malformed : tooCostly;
  return { ok: true, hash: { kind: "bcrypt", modularCrypt: text } };
}

function parseScrypt(text: string): ParsedHash {
  const match = SCRYPT.exec(text);
  if (!match) return malformed;
  const [ln, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (ln < 1 || r < 1 || p < 1) return malformed;
  const bounds = LEGACY_HASH_BOUNDS.scrypt;
  const n = 2 ** ln;
  if (
    ln > bounds.maxLn ||
    r > bounds.maxR ||
    p > bounds.maxP ||
    128 * n * r > bounds.maxMemoryBytes ||
    n * r * p > bounds.maxWork
  ) {
    return tooCostly;
  }
  const parts = saltAndHash(match[4] ?? "", match[5] ?? "", 1);
  if (parts === null) return malformed;
  return { ok: true, hash: { kind: "scrypt", n, r, p, salt: parts[0], hash: parts[1] } };
}

function parsePbkdf2(text: string): ParsedHash {
  const match = PBKDF2_PHC.exec(text) ?? PBKDF2_PASSLIB.exec(text);
  if (!match) return malformed;
  const iterations = Number(match[1]);
  if (iterations < 1) return malformed;
  if (iterations > LEGACY_HASH_BOUNDS.pbkdf2.maxIterations) return tooCostly;
  const parts = saltAndHash(match[2] ?? "", match[3] ?? "", 1);
  if (parts === null) return malformed;
  return { ok: true, hash: { kind: "pbkdf2-sha256", iterations, salt: parts[0], hash: parts[1] } };
}

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;
const pbkdf2Async = promisify(pbkdf2);

/**
 * Whether `password` (already NFC, as every password Tessera checks) matches a parsed legacy
 * hash: one verification by the scheme's maintained implementation (`@node-rs/argon2`,
 * `bcryptjs`, or `node:crypto`'s scrypt and PBKDF2 compared with `timingSafeEqual`). Never throws.
 * None blocks the event loop: bcryptjs is plain JavaScript (a cost-12 hash is ~250 ms of CPU), so
 * it runs on `pool`'s low-priority threads (default: the process-wide one of the argon2id hasher);
 * scrypt and PBKDF2 run on libuv's pool, argon2 on its own thread.
 *
 * @example
 * const parsed = parseLegacyHash(stored);
 * if (parsed.ok && (await verifyLegacyHash(parsed.hash, password))) { … }
 */
export async function verifyLegacyHash(
  hash: LegacyHash,
  password: string,
  pool: Argon2Pool = sharedHashPool(),
): Promise<boolean> {
  try {
    switch (hash.kind) {
      case "argon2id":
      case "argon2i":
        return await argon2Verify(hash.phc, password);
      case "bcrypt":
        return await pool.verifyBcrypt(hash.modularCrypt, password);
      case "scrypt": {
        const maxmem = 128 * hash.r * (hash.n + hash.p + 2) + 1024 * 1024;
        const derived = await scryptAsync(password, hash.salt, hash.hash.length, {
          N: hash.n,
          r: hash.r,
          p: hash.p,
          maxmem,
        });
        return timingSafeEqual(derived, hash.hash);
      }
      case "pbkdf2-sha256": {
        const derived = await pbkdf2Async(password, hash.salt, hash.iterations, hash.hash.length, "sha256");
        return timingSafeEqual(derived, hash.hash);
      }
    }
  } catch {
    return false;
  }
}
