import { request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProof, type ProofKey, proofKey } from "../../core/src/test-support/dpop-proofs.js";
import { expressAuth } from "./express.js";
import { fastifyAuth } from "./fastify.js";
import { honoAuth } from "./hono.js";
import { errorResponse, verifyRequest } from "./request.js";
import { type Fixture, fixture } from "./test-support/middleware-cases.js";

// Issue 14.8: the middlewares built the DPoP `htu` from the request's Host header, so a token and
// proof captured on API A were accepted by API B when the attacker sent `Host: <A>`. The origin
// must be configured (`baseUrl`); without one, a DPoP-bound token is refused (dpop_not_configured).

// Plain http, as a TLS-terminating proxy hands requests on: with Host-derived URLs the attack
// then works against every framework (their request scheme is http).
const API_A = "http://api-a.example.com";
const API_B = "http://api-b.example.com";
const HOST_A = "api-a.example.com";

/** An API serving `GET /me` behind one middleware, configured with `baseUrl` or not. */
type Api = (headers: Record<string, string>) => Promise<{ status: number; error: string | undefined }>;
type MakeApi = (baseUrl: string | undefined) => Promise<Api>;

let f: Fixture;
let key: ProofKey;
let token: string;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  f = await fixture();
  key = await proofKey("ES256");
  token = await f.issuer.token({ cnf: { jkt: key.jkt } });
});
afterAll(async () => {
  for (const close of closers) await close();
});

const errorOf = (body: string): string | undefined => (body ? JSON.parse(body).error : undefined);

/** A raw node:http GET, so the Host header is exactly what an attacker chose. */
function rawGet(port: number, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: "/me", headers }, (res) => {
      let body = "";
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const makeExpress: MakeApi = async (baseUrl) => {
  const app = express();
  app.get("/me", expressAuth(f.verifier, baseUrl === undefined ? {} : { baseUrl }), (req, res) => {
    res.json({ sub: req.auth?.sub });
  });
  const server: Server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return async (headers) => {
    const res = await rawGet(port, headers);
    return { status: res.status, error: errorOf(res.body) };
  };
};

const makeFastify: MakeApi = async (baseUrl) => {
  const app = Fastify();
  await app.register(fastifyAuth, { verifier: f.verifier, ...(baseUrl === undefined ? {} : { baseUrl }) });
  app.get("/me", async (request) => ({ sub: request.auth?.sub }));
  await app.ready();
  closers.push(() => app.close());
  return async (headers) => {
    const res = await app.inject({ method: "GET", url: "/me", headers });
    return { status: res.statusCode, error: errorOf(res.body) };
  };
};

const makeHono: MakeApi = async (baseUrl) => {
  const app = new Hono();
  app.get("/me", honoAuth(f.verifier, baseUrl === undefined ? {} : { baseUrl }), (c) =>
    c.json({ sub: c.get("auth").sub }),
  );
  return async (headers) => {
    // On Node, @hono/node-server builds the request URL from the Host header: the same here.
    const res = await app.request(`http://${headers.host ?? "localhost"}/me`, { headers });
    return { status: res.status, error: errorOf(await res.text()) };
  };
};

const makeFetchApi: MakeApi = async (baseUrl) => async (headers) => {
  const request = new Request(`http://${headers.host ?? "localhost"}/me`, { headers });
  try {
    await verifyRequest(f.verifier, request, baseUrl === undefined ? {} : { baseUrl });
    return { status: 200, error: undefined };
  } catch (error) {
    const res = errorResponse(error);
    return { status: res.status, error: errorOf(await res.text()) };
  }
};

describe.each([
  ["expressAuth", makeExpress],
  ["fastifyAuth", makeFastify],
  ["honoAuth", makeHono],
  ["verifyRequest (Fetch API)", makeFetchApi],
] as const)("%s: the DPoP origin is configured, never taken from Host", (_name, make) => {
  it("a proof for API A, replayed to API B with Host set to A, is refused", async () => {
    const [apiA, apiB, unconfigured] = await Promise.all([make(API_A), make(API_B), make(undefined)]);
    const replay = async (api: Api) =>
      api({
        host: HOST_A,
        authorization: `DPoP ${token}`,
        dpop: await makeProof(key, { htm: "GET", htu: `${API_A}/me`, accessToken: token }),
      });
    expect(await replay(apiB)).toEqual({ status: 401, error: "dpop_proof_invalid" });
    expect(await replay(unconfigured)).toEqual({ status: 401, error: "dpop_not_configured" });
    // The same request is good at API A itself: only the origin refused it above.
    expect(await replay(apiA)).toEqual({ status: 200, error: undefined });
    // Plain Bearer tokens need no origin.
    const plain = await unconfigured({ host: HOST_A, authorization: `Bearer ${f.good}` });
    expect(plain.status).toBe(200);
  });

  it("refuses a baseUrl that is not an absolute http(s) origin at setup", async () => {
    for (const bad of ["api.example.com", "ftp://api.example.com", "https://api.example.com/?q=1", ""]) {
      await expect(make(bad).then((api) => api({}))).rejects.toThrow(TypeError);
    }
  });
});
