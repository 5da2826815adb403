import type { Reply } from "../lib/http.js";
import { describeReply } from "../lib/http.js";
import type { Finding, RunContext } from "../lib/run-context.js";

type Jwk = Record<string, unknown>;

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;
const RSA_ALGS = new Set(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]);
const EC_ALG_BY_CURVE: Record<string, string> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };
const OKP_SIGNING_CURVES = new Set(["Ed25519", "Ed448"]);
const ROTATE_HINT =
  "publish only public keys; treat the exposed private keys as compromised and rotate them now";
const KEY_HINT = "sign with EdDSA (Ed25519), ES256 (P-256) or RS256 with an RSA key of at least 2048 bits";

/** The three JWKS verdicts, judged from the key list alone. */
export interface JwksVerdicts {
  publicOnly: Finding[];
  strength: Finding[];
  kids: Finding[];
}

function label(key: Jwk, index: number): string {
  return typeof key.kid === "string" ? `kid ${key.kid}` : `key #${index + 1}`;
}

/** Bits of a big-endian unsigned integer given in base64url, ignoring leading zero bits. */
export function bitLength(base64url: string): number {
  const bytes = Buffer.from(base64url, "base64url");
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i] ?? 0));
}

function judgeKey(key: Jwk, name: string): Finding[] {
  const out: Finding[] = [];
  const alg = typeof key.alg === "string" ? key.alg : undefined;
  if (alg === undefined) {
    out.push({
      status: "warn",
      detail: `${name} has no alg`,
      hint: "give every JWK an alg so verifiers can pin it",
    });
  } else if (alg === "none" || alg.startsWith("HS")) {
    out.push({ status: "fail", detail: `${name} advertises alg ${alg}`, hint: KEY_HINT });
  }
  switch (key.kty) {
    case "RSA": {
      const bits = typeof key.n === "string" ? bitLength(key.n) : 0;
      if (bits < 2048)
        out.push({ status: "fail", detail: `${name}: RSA key of ${bits} bits`, hint: KEY_HINT });
      if (alg !== undefined && !RSA_ALGS.has(alg)) {
        out.push({ status: "fail", detail: `${name}: alg ${alg} does not fit an RSA key`, hint: KEY_HINT });
      }
      break;
    }
    case "EC": {
      const crv = String(key.crv);
      const expected = EC_ALG_BY_CURVE[crv];
      if (expected === undefined)
        out.push({ status: "fail", detail: `${name}: unsupported curve ${crv}`, hint: KEY_HINT });
      else if (alg !== undefined && alg !== expected) {
        out.push({ status: "fail", detail: `${name}: alg ${alg} does not fit curve ${crv}`, hint: KEY_HINT });
      }
      break;
    }
    case "OKP": {
      const crv = String(key.crv);
      if (!OKP_SIGNING_CURVES.has(crv))
        out.push({ status: "fail", detail: `${name}: ${crv} is not a signing curve`, hint: KEY_HINT });
      else if (alg !== undefined && alg !== "EdDSA" && alg !== crv) {
        out.push({ status: "fail", detail: `${name}: alg ${alg} does not fit ${crv}`, hint: KEY_HINT });
      }
      break;
    }
    case "oct":
      break; // reported as private material
    default:
      out.push({ status: "fail", detail: `${name}: unknown kty ${String(key.kty)}`, hint: KEY_HINT });
  }
  return out;
}

/** Judges a JWKS key list: no private material, sane keys, unique kids with use=sig. */
export function judgeJwks(keys: readonly Jwk[]): JwksVerdicts {
  const verdicts: JwksVerdicts = { publicOnly: [], strength: [], kids: [] };
  if (keys.length === 0) {
    verdicts.strength.push({
      status: "warn",
      detail: "the JWKS is empty (an HS256 deployment?): resource servers cannot verify tokens on their own",
      hint: "sign with an asymmetric algorithm (TESSERA_SIGNING_ALG=EdDSA) so keys can be published",
    });
  }
  const seen = new Map<string, number>();
  keys.forEach((key, index) => {
    const name = label(key, index);
    const leaked = PRIVATE_MEMBERS.filter((m) => m in key);
    if (leaked.length > 0 || key.kty === "oct") {
      const what = key.kty === "oct" ? "a symmetric secret" : `private members ${leaked.join(", ")}`;
      verdicts.publicOnly.push({ status: "fail", detail: `${name} exposes ${what}`, hint: ROTATE_HINT });
    }
    verdicts.strength.push(...judgeKey(key, name));
    if (typeof key.kid !== "string" || key.kid === "") {
      verdicts.kids.push({
        status: "fail",
        detail: `${name} has no kid`,
        hint: "give every key a unique kid",
      });
    } else {
      seen.set(key.kid, (seen.get(key.kid) ?? 0) + 1);
    }
    if (key.use === undefined) {
      verdicts.kids.push({
        status: "warn",
        detail: `${name} has no use`,
        hint: 'mark signing keys with use: "sig"',
      });
    } else if (key.use !== "sig") {
      verdicts.kids.push({
        status: "fail",
        detail: `${name} has use ${String(key.use)}`,
        hint: 'publish signing keys with use: "sig" only',
      });
    }
  });
  for (const [kid, count] of seen) {
    if (count > 1) {
      verdicts.kids.push({
        status: "fail",
        detail: `kid ${kid} appears ${count} times`,
        hint: "give every key a unique kid",
      });
    }
  }
  return verdicts;
}

/** Fetches nothing: judges the JWKS answer and remembers its keys for the token checks. */
export function checkJwks(ctx: RunContext, reply: Reply): void {
  const json = reply.json as { keys?: unknown } | undefined;
  if (reply.status !== 200 || !Array.isArray(json?.keys)) {
    const detail = `no JWKS (${describeReply(reply)})`;
    const hint = "serve the public signing keys at /.well-known/jwks.json";
    ctx.record("jwks.public_only", { status: "fail", detail, hint });
    ctx.record("jwks.key_strength", { status: "skip", detail, hint });
    ctx.record("jwks.kids", { status: "skip", detail, hint });
    return;
  }
  const keys = json.keys.filter((k): k is Jwk => typeof k === "object" && k !== null && !Array.isArray(k));
  ctx.jwks = keys;
  const verdicts = judgeJwks(keys);
  const n = `${keys.length} key${keys.length === 1 ? "" : "s"}`;
  ctx.conclude("jwks.public_only", verdicts.publicOnly, `${n}, no private members`);
  const algs = [
    ...new Set(keys.map((k) => `${String(k.alg)}${k.crv === undefined ? "" : `/${String(k.crv)}`}`)),
  ];
  ctx.conclude("jwks.key_strength", verdicts.strength, `${algs.join(", ")}`);
  ctx.conclude("jwks.kids", verdicts.kids, "unique kids, use=sig");
}
