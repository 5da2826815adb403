import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_ENV, startTestServer, type TestServer } from "../test-support/test-server.js";

/**
 * Every (method, path) Fastify has registered, from its route tree, without the HEAD routes it adds
 * for GETs and the CORS catch-all. Paths in OpenAPI form (`/users/{id}`).
 */
function registeredOperations(server: TestServer): string[] {
  const stack: string[] = [];
  const operations: string[] = [];
  for (const line of server.app.printRoutes({ commonPrefix: false }).split("\n")) {
    const match = /^([│ ]*)[├└]── (\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? "").length / 4;
    stack.length = depth;
    const path = `${stack.at(-1) ?? ""}${match[2]}`;
    stack.push(path);
    if (path === "*") continue;
    for (const method of (match[3] ?? "").split(", ")) {
      if (method !== "HEAD") operations.push(`${method} ${path.replace(/:(\w+)/g, "{$1}")}`);
    }
  }
  return operations.sort();
}

type Document = { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>> };

function documentedOperations(document: Document): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

describe("GET /openapi.json", () => {
  let server: TestServer;
  let plain: TestServer;
  let document: Document;
  beforeAll(async () => {
    [server, plain] = await Promise.all([startTestServer(ADMIN_ENV), startTestServer()]);
    const res = await server.call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    document = res.body;
  });
  afterAll(async () => {
    await Promise.all([server?.close(), plain?.close()]);
  });

  it("is an OpenAPI 3.1 document listing exactly the registered routes", () => {
    expect(document.openapi).toBe("3.1.0");
    const registered = registeredOperations(server);
    expect(registered.length).toBeGreaterThan(25);
    expect(registered).toContain("PATCH /admin/users/{id}");
    expect(registered).toContain("POST /auth/login/ticket");
    expect(documentedOperations(document)).toEqual(registered);
  });

  it("every documented operation has a summary and its response codes, and exists", () => {
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const name = `${method.toUpperCase()} ${path}`;
        expect(operation.summary, name).toEqual(expect.any(String));
        const codes = Object.keys(operation.responses as object);
        expect(codes.length, name).toBeGreaterThan(0);
        for (const code of codes) expect(code, name).toMatch(/^[1-5]\d\d$/);
        expect(
          server.app.hasRoute({
            method: method.toUpperCase() as "GET",
            url: path.replace(/\{(\w+)\}/g, ":$1"),
          }),
          name,
        ).toBe(true);
      }
    }
  });

  it("marks the admin routes as Basic-authenticated with the admin credential", () => {
    for (const [path, item] of Object.entries(document.paths)) {
      for (const operation of Object.values(item)) {
        if (path.startsWith("/admin/")) expect(operation.security).toEqual([{ adminBasic: [] }]);
      }
    }
  });

  it("without TESSERA_ADMIN_SECRETS documents no /admin path (none is registered)", async () => {
    const res = await plain.call("GET", "/openapi.json");
    const operations = documentedOperations(res.body);
    expect(operations.some((op) => op.includes(" /admin"))).toBe(false);
    expect(operations).toEqual(registeredOperations(plain));
  });
});
