import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProof, type ProofKey, proofKey } from "../../../core/src/test-support/dpop-proofs.js";
import {
  type CallResult,
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from "../test-support/test-server.js";

// Issue 14, points 6, 7 and 9: DPoP with third-party clients and against token thieves, over real
// HTTP; proofs made by plain `jose`.

let server: TestServer;
let key: ProofKey;
let thief: ProofKey;

beforeAll(async () => {
  server = await startTestServer();
  [key, thief] = await Promise.all([proofKey("ES256"), proofKey("ES256")]);
});
afterAll(() => server?.close());

const url = (path: string) => `${server.config.issuer.replace(/\/+$/, "")}${path}`;
const proofFor = (k: ProofKey, path: string, extra: { accessToken?: string } = {}) =>
  makeProof(k, { htm: path === "/auth/me" ? "GET" : "POST", htu: url(path), ...extra });

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
}

async function login(proof?: ProofKey): Promise<CallResult> {
  const email = uniqueEmail("dpop-interop");
  await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
  return server.call("POST", "/auth/login", {
    json: { email, password: STRONG_PASSWORD, token_delivery: "body" },
    headers: proof === undefined ? {} : { dpop: await proofFor(proof, "/auth/login") },
  });
}

function refreshAt(refresh: string, proof?: string): Promise<CallResult> {
  return server.call("POST", "/oauth/token", {
    form: { grant_type: "refresh_token", refresh_token: refresh },
    headers: proof === undefined ? {} : { dpop: proof },
  });
}

function me(access: string, proof: string): Promise<CallResult> {
  return server.call("GET", "/auth/me", { headers: { authorization: `DPoP ${access}`, dpop: proof } });
}

describe("Ed25519 proofs under both names (issue 14.7)", () => {
  // oauth4webapi labels Ed25519 proofs `Ed25519` (RFC 9864); they were refused with 400.
  it.each(["Ed25519", "EdDSA"] as const)("a session runs on proofs labelled %s", async (alg) => {
    const ed = await proofKey(alg);
    const res = await login(ed);
    expect(res.status).toBe(200);
    expect(res.body.token_type).toBe("DPoP");
    const access = res.body.access_token as string;
    expect(payloadOf(access).cnf).toEqual({ jkt: ed.jkt });
    expect((await me(access, await proofFor(ed, "/auth/me", { accessToken: access }))).status).toBe(200);
    const rotated = await refreshAt(res.body.refresh_token, await proofFor(ed, "/oauth/token"));
    expect(rotated.status).toBe(200);
    expect(payloadOf(rotated.body.access_token).cnf).toEqual({ jkt: ed.jkt });
  });

  it("publishes both names in dpop_signing_alg_values_supported", async () => {
    const meta = await server.call("GET", "/.well-known/oauth-authorization-server");
    expect(meta.body.dpop_signing_alg_values_supported).toEqual([
      "ES256",
      "EdDSA",
      "Ed25519",
      "RS256",
      "PS256",
    ]);
  });
});

describe("a refresh with a proof binds a family that logged in without one (issue 14.6)", () => {
  // RFC 9449 §5: refresh tokens of public clients MUST be bound; they stayed Bearer before.
  it("binds the new refresh and access tokens to the proof's key from that refresh on", async () => {
    const plain = await login();
    expect(plain.body.token_type).toBe("Bearer");
    const rotated = await refreshAt(plain.body.refresh_token, await proofFor(key, "/oauth/token"));
    expect(rotated.status).toBe(200);
    expect(rotated.body.token_type).toBe("DPoP");
    const access = rotated.body.access_token as string;
    expect(payloadOf(access).cnf).toEqual({ jkt: key.jkt });
    expect((await me(access, await proofFor(key, "/auth/me", { accessToken: access }))).status).toBe(200);

    const next = rotated.body.refresh_token as string;
    expect((await refreshAt(next)).body.error).toBe("invalid_grant");
    expect((await refreshAt(next, await proofFor(thief, "/oauth/token"))).body.error).toBe("invalid_grant");
    const again = await refreshAt(next, await proofFor(key, "/oauth/token"));
    expect(again.status).toBe(200);
    expect(payloadOf(again.body.access_token).cnf).toEqual({ jkt: key.jkt });
  });

  it("a thief binding a stolen bearer refresh token is caught when the holder presents it again", async () => {
    const plain = await login();
    const stolen = plain.body.refresh_token as string;
    const thiefs = await refreshAt(stolen, await proofFor(thief, "/oauth/token"));
    expect(thiefs.body.token_type).toBe("DPoP");
    // The real holder's retry comes from no key: reuse, the family (and the thief's tokens) dies.
    const holder = await refreshAt(stolen);
    expect(holder.body.error).toBe("invalid_grant");
    const sid = payloadOf(thiefs.body.access_token).sid;
    expect((await server.store.getSession(sid as string))?.revokedReason).toBe("reuse_detected");
    const after = await refreshAt(thiefs.body.refresh_token, await proofFor(thief, "/oauth/token"));
    expect(after.body.error).toBe("invalid_grant");
  });
});
