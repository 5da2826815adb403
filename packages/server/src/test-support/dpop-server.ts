import { afterAll, beforeAll, expect } from "vitest";
import { makeProof, type ProofKey, proofKey } from "../../../core/src/test-support/dpop-proofs.js";
import { oauthRefresh } from "./oauth-refresh.js";
import {
  type CallResult,
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from "./test-server.js";

/** A test server and two proof keys (the holder's and a thief's), with the calls DPoP tests make. */
export interface DpopServer {
  server: TestServer;
  /** The holder's key, ES256. */
  key: ProofKey;
  thief: ProofKey;
  /** `path` on the server's issuer URL, as a proof's `htu`. */
  url(path: string): string;
  /** Registers a fresh user and logs in with body delivery, with a proof of `key` when given. */
  login(key?: ProofKey): Promise<CallResult>;
  /** `GET /auth/me` with `authorization: <scheme> <access>` and the proof when given. */
  me(access: string, proof?: string, scheme?: string): Promise<CallResult>;
  /** `POST /oauth/token` refresh grant, with the proof when given. */
  refresh(refreshToken: string, proof?: string): Promise<CallResult>;
}

/**
 * Registers a fresh user on `server` and logs in with body delivery (the refresh token in the JSON),
 * with a DPoP proof of `key` when given (bound, `token_type: "DPoP"`) or none (`Bearer`).
 *
 * @example
 * const res = await loginWithProof(server, key);
 * expect(res.body.token_type).toBe("DPoP");
 */
export async function loginWithProof(server: TestServer, key?: ProofKey): Promise<CallResult> {
  const email = uniqueEmail("dpop");
  const registered = await server.call("POST", "/auth/register", {
    json: { email, password: STRONG_PASSWORD },
  });
  expect(registered.status).toBe(201);
  const htu = `${server.config.issuer.replace(/\/+$/, "")}/auth/login`;
  return server.call("POST", "/auth/login", {
    json: { email, password: STRONG_PASSWORD, token_delivery: "body" },
    headers: key === undefined ? {} : { dpop: await makeProof(key, { htm: "POST", htu }) },
  });
}

/**
 * Starts a test server (default configuration) and the keys in a `beforeAll` of the calling
 * file or `describe`, and closes the server in its `afterAll`. Proofs are made by plain `jose`
 * (`dpop-proofs.ts`), never by the project's own helper.
 *
 * @example
 * const dpop = useDpopServer("EdDSA");
 * it("binds", async () => {
 *   const res = await dpop.login(dpop.key);
 *   expect(res.body.token_type).toBe("DPoP");
 * });
 */
export function useDpopServer(thiefAlg: ProofKey["alg"]): DpopServer {
  const url = (path: string) => `${dpop.server.config.issuer.replace(/\/+$/, "")}${path}`;
  const dpop: DpopServer = {
    server: undefined as unknown as TestServer,
    key: undefined as unknown as ProofKey,
    thief: undefined as unknown as ProofKey,
    url,
    login: (key) => loginWithProof(dpop.server, key),
    me(access, proof, scheme = "DPoP") {
      return dpop.server.call("GET", "/auth/me", {
        headers: { authorization: `${scheme} ${access}`, ...(proof === undefined ? {} : { dpop: proof }) },
      });
    },
    refresh: (refreshToken, proof) => oauthRefresh(dpop.server, refreshToken, proof),
  };
  beforeAll(async () => {
    dpop.server = await startTestServer();
    [dpop.key, dpop.thief] = await Promise.all([proofKey("ES256"), proofKey(thiefAlg)]);
  });
  afterAll(() => dpop.server?.close());
  return dpop;
}
