import { createHmac, createPublicKey, type JsonWebKey } from "node:crypto";
import { CompactSign, exportJWK, generateKeyPair, generateSecret } from "jose";
import { describeReply } from "../lib/http.js";
import { type DecodedJwt, decodeJwt, signingInputOf } from "../lib/jwt.js";
import type { Finding, RunContext } from "../lib/run-context.js";
import { me } from "../lib/session.js";
import type { CheckId } from "./catalog.js";

const VERIFY_HINT =
  "verify with the key's own algorithm (never the header's alg) and reject anything else with 401";

interface Forgery {
  name: string;
  token: string;
}

function hs256(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret: Uint8Array | string,
): string {
  const input = signingInputOf({ ...header, alg: "HS256" }, payload);
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

function algNone(jwt: DecodedJwt): Forgery[] {
  const forge = (alg: string, signature: string) =>
    `${signingInputOf({ ...jwt.header, alg }, jwt.payload)}.${signature}`;
  return [
    { name: "alg none", token: forge("none", "") },
    { name: "alg None", token: forge("None", "") },
    { name: "alg none with the old signature", token: forge("none", jwt.signature) },
  ];
}

/** HMAC "signatures" keyed with the server's own public key, in the encodings naive code loads. */
function keyConfusion(jwt: DecodedJwt, jwks: readonly Record<string, unknown>[]): Forgery[] {
  const matching = jwks.filter((k) => k.kid === jwt.header.kid);
  const out: Forgery[] = [];
  for (const jwk of (matching.length > 0 ? matching : jwks).slice(0, 2)) {
    let pem: string;
    let der: Buffer;
    try {
      const key = createPublicKey({ key: jwk as JsonWebKey, format: "jwk" });
      pem = key.export({ type: "spki", format: "pem" }).toString();
      der = key.export({ type: "spki", format: "der" });
    } catch {
      continue;
    }
    out.push(
      { name: "HS256 keyed with the PEM public key", token: hs256(jwt.header, jwt.payload, pem) },
      { name: "HS256 keyed with the trimmed PEM", token: hs256(jwt.header, jwt.payload, pem.trim()) },
      { name: "HS256 keyed with the DER public key", token: hs256(jwt.header, jwt.payload, der) },
      { name: "HS256 keyed with the JWK JSON", token: hs256(jwt.header, jwt.payload, JSON.stringify(jwk)) },
    );
  }
  return out;
}

async function foreignKey(jwt: DecodedJwt): Promise<Forgery[]> {
  const alg = typeof jwt.header.alg === "string" ? jwt.header.alg : "EdDSA";
  const payload = new TextEncoder().encode(JSON.stringify(jwt.payload));
  if (alg.startsWith("HS")) {
    const secret = await generateSecret(alg);
    const token = await new CompactSign(payload).setProtectedHeader({ ...jwt.header, alg }).sign(secret);
    return [{ name: `${alg} with a foreign secret`, token }];
  }
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const sameKid = await new CompactSign(payload).setProtectedHeader({ ...jwt.header, alg }).sign(privateKey);
  // CVE-2018-0114 style: the token carries the attacker's key and hopes the verifier trusts it.
  const jwk = await exportJWK(publicKey);
  const embedded = await new CompactSign(payload)
    .setProtectedHeader({ ...jwt.header, alg, jwk })
    .sign(privateKey);
  return [
    { name: "foreign key with the server's kid", token: sameKid },
    { name: "foreign key embedded as a jwk header", token: embedded },
  ];
}

function tampered(jwt: DecodedJwt): Forgery[] {
  const raise = { ...jwt.payload, scope: "admin", roles: ["admin"] };
  const extend = {
    ...jwt.payload,
    exp: (typeof jwt.payload.exp === "number" ? jwt.payload.exp : 0) + 86_400,
  };
  return [
    {
      name: "payload with added admin claims",
      token: `${signingInputOf(jwt.header, raise)}.${jwt.signature}`,
    },
    { name: "payload with a later exp", token: `${signingInputOf(jwt.header, extend)}.${jwt.signature}` },
  ];
}

async function judge(ctx: RunContext, forgeries: readonly Forgery[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const forgery of forgeries) {
    ctx.redact.add(forgery.token);
    const reply = await me(ctx, forgery.token);
    if (reply.status >= 200 && reply.status < 300) {
      findings.push({ status: "fail", detail: `${forgery.name}: accepted by /auth/me`, hint: VERIFY_HINT });
    } else if (reply.status >= 500) {
      findings.push({
        status: "fail",
        detail: `${forgery.name}: ${describeReply(reply)}`,
        hint: VERIFY_HINT,
      });
    } else {
      findings.push({ status: "pass", detail: `${forgery.name}: ${describeReply(reply)}` });
    }
  }
  return findings;
}

/** Presents forged variants of a genuine access token at `/auth/me`; every one must be refused. */
export async function checkForgeries(ctx: RunContext, genuine: string): Promise<void> {
  const jwt = decodeJwt(genuine);
  const baseline = await me(ctx, genuine);
  const ids: CheckId[] = [
    "forgery.alg_none",
    "forgery.key_confusion",
    "forgery.foreign_key",
    "forgery.tampered",
  ];
  if (jwt === undefined || baseline.status !== 200) {
    const detail = `a genuine token got ${describeReply(baseline)} at /auth/me, so refusals prove nothing`;
    for (const id of ids)
      ctx.record(id, {
        status: "skip",
        detail,
        hint: "GET /auth/me must answer 200 to a valid Bearer token",
      });
    return;
  }
  ctx.step("forged tokens");
  const pass = (what: string, n: number) => `${n} ${what} refused`;
  const none = algNone(jwt);
  ctx.conclude("forgery.alg_none", await judge(ctx, none), pass("alg-none variants", none.length));

  const alg = String(jwt.header.alg);
  if (alg.startsWith("HS")) {
    ctx.record("forgery.key_confusion", {
      status: "skip",
      detail: `the server signs with ${alg}; no public key to confuse`,
      hint: "",
    });
  } else {
    const confused = keyConfusion(jwt, ctx.jwks ?? []);
    if (confused.length === 0) {
      ctx.record("forgery.key_confusion", {
        status: "skip",
        detail: "no usable public key in the JWKS",
        hint: "serve the JWKS",
      });
    } else {
      ctx.conclude(
        "forgery.key_confusion",
        await judge(ctx, confused),
        pass("HS256-with-public-key variants", confused.length),
      );
    }
  }
  const foreign = await foreignKey(jwt);
  ctx.conclude("forgery.foreign_key", await judge(ctx, foreign), pass("foreign-key tokens", foreign.length));
  const changed = tampered(jwt);
  ctx.conclude("forgery.tampered", await judge(ctx, changed), pass("tampered payloads", changed.length));
}
