import Fastify, { type FastifyRequest } from "fastify";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { fastifyAuth, requireRole, requireScope } from "./fastify.js";
import { expectDpopBehaviour } from "./test-support/dpop-cases.js";
import { expectSharedBehaviour, type Fixture, fixture, type Send } from "./test-support/middleware-cases.js";
import { expectRoleBehaviour } from "./test-support/role-cases.js";
import type { AccessClaims } from "./types.js";

const app = Fastify();
let f: Fixture;

beforeAll(async () => {
  f = await fixture();
  await app.register(async (scope) => {
    await scope.register(fastifyAuth, { verifier: f.verifier, baseUrl: "https://api.example.com" });
    scope.get("/me", async (request) => ({ sub: request.auth?.sub }));
    scope.post("/orders", { preHandler: requireScope("orders:write") }, async () => ({ ok: true }));
    scope.get("/admin", { preHandler: requireRole("admin") }, async (request) => ({
      sub: request.auth?.sub,
    }));
  });
  await app.register(async (scope) => {
    await scope.register(fastifyAuth, { verifier: f.verifier, optional: true });
    scope.get("/maybe", async (request) => ({ sub: request.auth?.sub ?? null }));
  });
  app.get("/public", async (request) => ({ auth: request.auth ?? "absent" }));
  await app.ready();
});
afterAll(() => app.close());

/** One request through Fastify's inject API (`POST` for `/orders`), as the shared cases send it. */
const send: Send = async (path, headers = {}) => {
  const res = await app.inject({ method: path === "/orders" ? "POST" : "GET", url: path, headers });
  const h = new Headers();
  for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") h.set(k, v);
  return { status: res.statusCode, headers: h, body: res.body };
};

describe("fastifyAuth with the real Fastify inject API", () => {
  it("verifies, challenges, checks scopes and never echoes the token", async () => {
    await expectSharedBehaviour(send, f);
  });

  it("requireRole: 403 insufficient_scope without the role, 200 with it, 401 without a token", async () => {
    await expectRoleBehaviour(send, f);
  });

  it("accepts DPoP-bound tokens only with the DPoP scheme and a valid proof", async () => {
    await expectDpopBehaviour(
      async (path, headers = {}) => {
        const res = await app.inject({ method: "GET", url: path, headers });
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") h.set(k, v);
        return { status: res.statusCode, headers: h, body: res.body };
      },
      f,
      (path) => `https://api.example.com${path}`,
    );
  });

  it("protects only the scope it is registered in", async () => {
    const res = await app.inject({ method: "GET", url: "/public" });
    expect(res.statusCode).toBe(200);
  });

  it("refuses registration without a verifier", async () => {
    const other = Fastify();
    await expect(other.register(fastifyAuth, {} as never).ready()).rejects.toThrow(TypeError);
    await other.close();
  });

  it("augments FastifyRequest", () => {
    expectTypeOf<FastifyRequest["auth"]>().toEqualTypeOf<AccessClaims | null>();
  });
});
