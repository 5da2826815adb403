import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test-support/test-server.js";
import { helmetOptions } from "./api-hooks.js";
import { installSecurityHeaders, staticSecurityHeaders } from "./security-headers.js";

/** What @fastify/helmet sent per request for the server's options (`helmetOptions`) before the headers were cached. */
const EXPECTED: Array<[string, string]> = [
  ["Content-Security-Policy", "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Origin-Agent-Cluster", "?1"],
  ["Referrer-Policy", "no-referrer"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-DNS-Prefetch-Control", "off"],
  ["X-Download-Options", "noopen"],
  ["X-Frame-Options", "DENY"],
  ["X-Permitted-Cross-Domain-Policies", "none"],
  ["X-XSS-Protection", "0"],
];

describe("staticSecurityHeaders", () => {
  it("are exactly helmet's headers for the options, HSTS only when asked", async () => {
    expect(await staticSecurityHeaders(helmetOptions(false))).toEqual(EXPECTED);
    const withHsts = await staticSecurityHeaders(helmetOptions(true));
    expect(withHsts).toContainEqual(["Strict-Transport-Security", "max-age=31536000; includeSubDomains"]);
    expect(withHsts).toHaveLength(EXPECTED.length + 1);
  });

  it("are set on answers ended by a later hook and on not-found answers", async () => {
    const app = Fastify({ logger: false });
    installSecurityHeaders(app, EXPECTED);
    app.addHook("onRequest", async (request, reply) => {
      if (request.url === "/stop") await reply.code(400).send({ error: "stopped" });
    });
    app.get("/ok", async () => ({ ok: true }));
    for (const url of ["/ok", "/stop", "/missing"]) {
      const res = await app.inject({ method: "GET", url });
      for (const [name, value] of EXPECTED) expect(res.headers[name.toLowerCase()]).toBe(value);
    }
    await app.close();
  });
});

describe("the server's answers", () => {
  let server: TestServer;
  afterEach(async () => {
    await server.close();
  });

  it("carry the same headers on a success, an error and a 404", async () => {
    server = await startTestServer();
    for (const [method, path] of [
      ["GET", "/healthz"],
      ["POST", "/auth/refresh"],
      ["GET", "/nowhere"],
    ] as const) {
      const res = await server.call(method, path);
      for (const [name, value] of EXPECTED) expect(res.headers.get(name)).toBe(value);
    }
  });
});
