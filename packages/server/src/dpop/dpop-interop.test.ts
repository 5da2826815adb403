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
