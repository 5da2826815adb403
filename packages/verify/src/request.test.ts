import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponse, requireRoles, requireScopes, verifyRequest } from "./index.js";
import { expectSharedBehaviour, type Fixture, fixture } from "./test-support/middleware-cases.js";
import { expectRoleBehaviour } from "./test-support/role-cases.js";

let f: Fixture;
let server: Server;
let base: string;

/** A plain Fetch-API handler, as Deno/Bun/workers would run it. */
async function handle(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (path === "/maybe" && !request.headers.has("authorization")) return Response.json({ sub: null });
  try {
    const claims = await verifyRequest(f.verifier, request);
    if (path === "/orders") return requireScopes(claims, "orders:write") ?? Response.json({ ok: true });
    if (path === "/admin") return requireRoles(claims, "admin") ?? Response.json({ sub: claims.sub });
    return Response.json({ sub: claims.sub });
  } catch (error) {
    return errorResponse(error);
  }
}

beforeAll(async () => {
  f = await fixture();
  // Bridge node:http to the Fetch handler so the test goes over a real socket.
  server = createServer(async (req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const response = await handle(
      new Request(`http://127.0.0.1${req.url}`, { method: req.method ?? "GET", headers }),
    );
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(await response.text());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("verifyRequest for Fetch-API runtimes", () => {
  it("verifies, challenges, checks scopes and never echoes the token", async () => {
    await expectSharedBehaviour(async (path, headers = {}) => {
      const res = await fetch(`${base}${path}`, { method: path === "/orders" ? "POST" : "GET", headers });
      return { status: res.status, headers: res.headers, body: await res.text() };
    }, f);
  });

  it("requireRoles: 403 insufficient_scope without the role, 200 with it, 401 without a token", async () => {
    await expectRoleBehaviour(async (path, headers = {}) => {
      const res = await fetch(`${base}${path}`, { method: path === "/orders" ? "POST" : "GET", headers });
      return { status: res.status, headers: res.headers, body: await res.text() };
    }, f);
  });

  it("errorResponse rethrows errors that are not VerifyErrors", () => {
    const boom = new Error("database down");
    expect(() => errorResponse(boom)).toThrow(boom);
  });
});
