import { Hono } from "hono";
import { beforeAll, describe, expectTypeOf, it } from "vitest";
import { honoAuth, requireRole, requireScope } from "./hono.js";
import { expectDpopBehaviour } from "./test-support/dpop-cases.js";
import { expectSharedBehaviour, type Fixture, fixture } from "./test-support/middleware-cases.js";
import { expectRoleBehaviour } from "./test-support/role-cases.js";
import type { AccessClaims } from "./types.js";

let f: Fixture;
const app = new Hono();

beforeAll(async () => {
  f = await fixture();
  app.get("/me", honoAuth(f.verifier, { baseUrl: "https://api.example.com" }), (c) =>
    c.json({ sub: c.get("auth").sub }),
  );
  app.post("/orders", honoAuth(f.verifier), requireScope("orders:write"), (c) => c.json({ ok: true }));
  app.get("/admin", honoAuth(f.verifier), requireRole("admin"), (c) => c.json({ sub: c.get("auth").sub }));
  app.get("/maybe", honoAuth(f.verifier, { optional: true }), (c) => {
    const claims = c.get("auth") as AccessClaims | undefined;
    return c.json({ sub: claims?.sub ?? null });
  });
});

describe("honoAuth with Hono's request API", () => {
  it("verifies, challenges, checks scopes and never echoes the token", async () => {
    await expectSharedBehaviour(async (path, headers = {}) => {
      const res = await app.request(path, { method: path === "/orders" ? "POST" : "GET", headers });
      return { status: res.status, headers: res.headers, body: await res.text() };
    }, f);
  });

  it("requireRole: 403 insufficient_scope without the role, 200 with it, 401 without a token", async () => {
    await expectRoleBehaviour(async (path, headers = {}) => {
      const res = await app.request(path, { method: path === "/orders" ? "POST" : "GET", headers });
      return { status: res.status, headers: res.headers, body: await res.text() };
    }, f);
  });

  it("accepts DPoP-bound tokens only with the DPoP scheme and a valid proof", async () => {
    await expectDpopBehaviour(
      async (path, headers = {}) => {
        const res = await app.request(path, { headers });
        return { status: res.status, headers: res.headers, body: await res.text() };
      },
      f,
      (path) => `https://api.example.com${path}`,
    );
  });

  it("types c.get('auth') as AccessClaims", () => {
    new Hono().get("/typed", (c) => {
      expectTypeOf(c.get("auth")).toEqualTypeOf<AccessClaims>();
      return c.text("ok");
    });
  });
});
