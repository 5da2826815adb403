import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expectTypeOf, it } from "vitest";
import { expressAuth, requireRole, requireScope } from "./express.js";
import { expectDpopBehaviour } from "./test-support/dpop-cases.js";
import { expectSharedBehaviour, type Fixture, fixture } from "./test-support/middleware-cases.js";
import { expectRoleBehaviour } from "./test-support/role-cases.js";
import type { AccessClaims } from "./types.js";

let server: Server;
let base: string;
let f: Fixture;

beforeAll(async () => {
  f = await fixture();
  const app = express();
  app.get("/me", expressAuth(f.verifier, { baseUrl: "https://api.example.com" }), (req, res) => {
    res.json({ sub: req.auth?.sub });
  });
  app.post("/orders", expressAuth(f.verifier), requireScope("orders:write"), (_req, res) => {
    res.json({ ok: true });
  });
  app.get("/admin", expressAuth(f.verifier), requireRole("admin"), (req, res) => {
    res.json({ sub: req.auth?.sub });
  });
  app.get("/maybe", expressAuth(f.verifier, { optional: true }), (req, res) => {
    res.json({ sub: req.auth?.sub ?? null });
  });
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("expressAuth over real HTTP", () => {
  it("verifies, challenges, checks scopes and never echoes the token", async () => {
    await expectSharedBehaviour(async (path, headers = {}) => {
      const res = await fetch(`${base}${path}`, { method: path === "/orders" ? "POST" : "GET", headers });
      return { status: res.status, headers: res.headers, body: await res.text() };
    }, f);
  });

  it("requireRole: 403 insufficient_scope without the role, 200 with it, 401 without a token", async () => {
    await expectRoleBehaviour(async (path, headers = {}) => {
      const res = await fetch(`${base}${path}`, { method: path === "/orders" ? "POST" : "GET", headers });
      return { status: res.status, headers: res.headers, body: await res.text() };
    }, f);
  });

  it("accepts DPoP-bound tokens only with the DPoP scheme and a valid proof", async () => {
    await expectDpopBehaviour(
      async (path, headers = {}) => {
        const res = await fetch(`${base}${path}`, { headers });
        return { status: res.status, headers: res.headers, body: await res.text() };
      },
      f,
      (path) => `https://api.example.com${path}`,
    );
  });

  it("augments Express's Request type", () => {
    expectTypeOf<express.Request["auth"]>().toEqualTypeOf<AccessClaims | undefined>();
  });
});
