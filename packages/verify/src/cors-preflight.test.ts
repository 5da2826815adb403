// A browser's CORS preflight carries no credentials. Each middleware, even when mounted BEFORE
// the CORS handler, must let `OPTIONS` + `Access-Control-Request-Method` through to it (not 401),
// while a plain OPTIONS without a token is still refused. Real frameworks over real HTTP.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import cors from "@fastify/cors";
import { serve } from "@hono/node-server";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { cors as honoCors } from "hono/cors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expressAuth } from "./express.js";
import { fastifyAuth } from "./fastify.js";
import { honoAuth } from "./hono.js";
import { errorResponse, isPreflight, verifyRequest } from "./request.js";
import { type Fixture, fixture } from "./test-support/middleware-cases.js";

const PAGE = "http://localhost:5173";
const servers: Array<() => Promise<void>> = [];
const bases: Record<string, string> = {};
let f: Fixture;

async function listening(server: Server): Promise<string> {
  if (!server.listening) await new Promise((resolve) => server.once("listening", resolve));
  servers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  f = await fixture();

  // Express: the auth middleware first, then a minimal CORS handler (the wrong order, on purpose).
  const ex = express();
  ex.use(expressAuth(f.verifier));
  ex.use((req, res, next) => {
    res.set("access-control-allow-origin", PAGE);
    if (req.method !== "OPTIONS") return next();
    res.set("access-control-allow-headers", "authorization").status(204).end();
  });
  ex.get("/me", (req, res) => {
    res.json({ sub: req.auth?.sub });
  });
  bases.express = await listening(ex.listen(0, "127.0.0.1"));

  const fa = Fastify();
  await fa.register(fastifyAuth, { verifier: f.verifier });
  await fa.register(cors, { origin: PAGE });
  fa.get("/me", async (request) => ({ sub: request.auth?.sub }));
  await fa.listen({ port: 0, host: "127.0.0.1" });
  servers.push(() => fa.close());
  bases.fastify = `http://127.0.0.1:${(fa.server.address() as AddressInfo).port}`;

  const ho = new Hono();
  ho.use("*", honoAuth(f.verifier));
  ho.use("*", honoCors({ origin: PAGE }));
  ho.get("/me", (c) => c.json({ sub: c.get("auth").sub }));
  bases.hono = await listening(serve({ fetch: ho.fetch, port: 0, hostname: "127.0.0.1" }) as Server);

  // The plain Fetch-API helper, as its documentation says to use it.
  const plain = async (request: Request): Promise<Response> => {
    const headers = { "access-control-allow-origin": PAGE, "access-control-allow-headers": "authorization" };
    if (isPreflight(request)) return new Response(null, { status: 204, headers });
    try {
      const claims = await verifyRequest(f.verifier, request);
      return Response.json({ sub: claims.sub }, { headers });
    } catch (error) {
      return errorResponse(error);
    }
  };
  bases.request = await listening(serve({ fetch: plain, port: 0, hostname: "127.0.0.1" }) as Server);
});
afterAll(async () => {
  for (const close of servers) await close();
});

describe.each(["express", "fastify", "hono", "request"])("%s: CORS preflight", (name) => {
  it("answers the preflight through the CORS handler, then the real request needs its token", async () => {
    const base = bases[name];
    const preflight = await fetch(`${base}/me`, {
      method: "OPTIONS",
      headers: {
        origin: PAGE,
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");

    const withToken = await fetch(`${base}/me`, {
      headers: { origin: PAGE, authorization: `Bearer ${f.good}` },
    });
    expect(withToken.status).toBe(200);
    expect(await withToken.json()).toEqual({ sub: "user_1" });
    const without = await fetch(`${base}/me`, { headers: { origin: PAGE } });
    expect(without.status).toBe(401);
    // An OPTIONS that is not a preflight is an ordinary request: no token, no entry.
    const options = await fetch(`${base}/me`, { method: "OPTIONS", headers: { origin: PAGE } });
    expect(options.status).toBe(401);
  });
});
