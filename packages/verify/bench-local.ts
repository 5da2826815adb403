/**
 * Local ops/s check of `verify` against raw `node:crypto` and plain `jose` (not the official
 * bench, not part of the tests). Run from the repo root:
 *   npx esbuild packages/verify/bench-local.ts --bundle --platform=node --format=esm \
 *     --packages=external --outfile=node_modules/.cache/verify-bench.mjs && node node_modules/.cache/verify-bench.mjs
 */
import { generateKeyPair, type KeyObject, verify as rawVerify } from "node:crypto";
import { promisify } from "node:util";
import { exportJWK, jwtVerify, SignJWT } from "jose";
import { createVerifier } from "./src/index.js";

// Short interleaved slices: on a shared machine, load changes affect every contender alike.
const SLICE_MS = Number(process.env.SLICE_MS ?? 100);
const ROUNDS = Number(process.env.ROUNDS ?? 20);

type Contender = () => unknown;

async function slice(fn: Contender): Promise<{ n: number; ms: number }> {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < SLICE_MS) {
    for (let i = 0; i < 20; i++) await fn();
    n += 20;
  }
  return { n, ms: performance.now() - start };
}

async function compare(contenders: Record<string, Contender>): Promise<Record<string, number>> {
  const totals: Record<string, { n: number; ms: number }> = {};
  for (const [name, fn] of Object.entries(contenders)) {
    for (let i = 0; i < 300; i++) await fn(); // warm-up
    totals[name] = { n: 0, ms: 0 };
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of Object.entries(contenders)) {
      const { n, ms } = await slice(fn);
      const t = totals[name] as { n: number; ms: number };
      t.n += n;
      t.ms += ms;
    }
  }
  return Object.fromEntries(Object.entries(totals).map(([k, t]) => [k, t.n / (t.ms / 1000)]));
}

interface Case {
  alg: "EdDSA" | "ES256" | "RS256";
  pair: { publicKey: KeyObject; privateKey: KeyObject };
}

const generateKeyPairAsync = promisify(generateKeyPair);
const cases: Case[] = [
  { alg: "EdDSA", pair: await generateKeyPairAsync("ed25519") },
  { alg: "ES256", pair: await generateKeyPairAsync("ec", { namedCurve: "P-256" }) },
  { alg: "RS256", pair: await generateKeyPairAsync("rsa", { modulusLength: 2048 }) },
];

const issuer = "https://auth.example.com";
const audience = "api";
console.log(`node ${process.version}; ${ROUNDS} interleaved rounds of ${SLICE_MS} ms per contender`);
for (const { alg, pair } of cases) {
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({
    client_id: "tessera",
    sid: "s_1234567890",
    epoch: 0,
    scope: "read write",
  })
    .setProtectedHeader({ alg, typ: "at+jwt", kid: "k1" })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject("u_0123456789abcdef")
    .setJti("j_0123456789abcdef")
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(pair.privateKey);
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg, use: "sig" };
  const verifier = createVerifier({ issuer, audience, keys: [jwk] });
  const [h, p, s] = token.split(".") as [string, string, string];
  const data = Buffer.from(`${h}.${p}`);
  const sig = Buffer.from(s, "base64url");
  const hash = alg === "EdDSA" ? null : "sha256";
  const keyInput =
    alg === "ES256" ? { key: pair.publicKey, dsaEncoding: "ieee-p1363" as const } : pair.publicKey;
  if (!rawVerify(hash, data, keyInput, sig)) throw new Error("raw verify failed");
  await verifier.verify(token);
  const best = await compare({
    raw: () => rawVerify(hash, data, keyInput, sig),
    tessera: () => verifier.verify(token),
    jose: () => jwtVerify(token, pair.publicKey, { issuer, audience, algorithms: [alg], typ: "at+jwt" }),
  });
  const ratio = (x: number | undefined) => ((x ?? 0) / (best.raw ?? 1)).toFixed(2);
  const fmt = (x: number | undefined) => (x ?? 0).toFixed(0).padStart(7);
  console.log(
    `${alg.padEnd(6)} raw ${fmt(best.raw)}/s  tessera ${fmt(best.tessera)}/s (${ratio(best.tessera)})  jose ${fmt(best.jose)}/s (${ratio(best.jose)})`,
  );
}
