import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createTessera, type Store, type Tessera } from "@tessera/core";
import { createVerifier } from "@tessera/verify";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { makeProof, proofKey } from "../../core/src/test-support/dpop-proofs.js";
import { codeBlock, runBlock } from "../../core/src/test-support/readme-blocks.js";
import { REFRESH_COOKIE } from "./http/refresh-cookie.js";
import { openStore } from "./open-store.js";
import { tesseraRoutes } from "./tessera-routes.js";
import { CookieJar } from "./test-support/cookie-jar.js";
import { countingHasher } from "./test-support/counting-hasher.js";
import {
  MASTER_KEY_HEX,
  RESOURCE_BASIC,
  RESOURCE_ID,
  RESOURCE_SECRET,
  STRONG_PASSWORD,
  uniqueEmail,
} from "./test-support/test-server.js";

// `tesseraRoutes` mounted under a prefix inside an application's own Fastify app, over real HTTP.

const ISSUER = "http://app.example.test/auth-api";
const PAGE = "http://pages.example.test";

let store: Store;
let tessera: Tessera;
let app: FastifyInstance;
let base: string;

async function newTessera(issuer: string): Promise<Tessera> {
  return createTessera({
    store,
    masterKey: Buffer.from(MASTER_KEY_HEX, "hex"),
    issuer,
    audience: "tessera",
    passwordHasher: countingHasher(),
  });
}

beforeAll(async () => {
  store = openStore({ kind: "sqlite", path: ":memory:" });
  await store.migrate();
  tessera = await newTessera(ISSUER);
  app = Fastify();
  // The application's own routes, before and after the mount.
  app.get("/", async () => ({ page: "home" }));
  await app.register(tesseraRoutes, {
    tessera,
    prefix: "/auth-api",
    origins: [PAGE],
    resourceSecrets: [{ id: RESOURCE_ID, secret: RESOURCE_SECRET }],
    rateLimits: { ip: "off" },
  });
  app.get("/api/hello", async () => ({ hello: "world" }));
  await app.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  await tessera?.close();
  await store?.close();
});

async function call(
  method: string,
  path: string,
  init: {
    json?: unknown;
    form?: Record<string, string>;
    headers?: Record<string, string>;
    jar?: CookieJar;
  } = {},
) {
  const url = new URL(path, base);
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (init.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(init.json);
  }
  if (init.form !== undefined) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(init.form).toString();
  }
  const cookie = init.jar?.header(url);
  if (cookie) headers.cookie = cookie;
  const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  init.jar?.capture(url, res.headers.getSetCookie());
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  const json: any = text === "" ? null : JSON.parse(text);
  return { status: res.status, headers: res.headers, body: json };
}

async function newUser(): Promise<string> {
  const email = uniqueEmail("mounted");
  const res = await call("POST", "/auth-api/auth/register", { json: { email, password: STRONG_PASSWORD } });
  expect(res.status).toBe(201);
  return email;
}

describe("tesseraRoutes under /auth-api in an existing Fastify app", () => {
  it("login, cookie refresh and logout under the prefix; the refresh cookie's Path is /auth-api/auth", async () => {
    const email = await newUser();
    const jar = new CookieJar();
    const login = await call("POST", "/auth-api/auth/login", {
      json: { email, password: STRONG_PASSWORD },
      jar,
    });
    expect(login.status).toBe(200);
    const line = login.headers.getSetCookie().find((l) => l.startsWith(`${REFRESH_COOKIE}=`)) ?? "";
    expect(line).toMatch(/; Path=\/auth-api\/auth(;|$)/);
    expect(jar.get(REFRESH_COOKIE)?.path).toBe("/auth-api/auth");

    const refreshed = await call("POST", "/auth-api/auth/refresh", {
      jar,
      headers: { "x-csrf-token": login.body.csrf_token },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.access_token).not.toBe(login.body.access_token);
    const me = await call("GET", "/auth-api/auth/me", {
      headers: { authorization: `Bearer ${refreshed.body.access_token}` },
    });
    expect([me.status, me.body.user.email]).toEqual([200, email]);
    const out = await call("POST", "/auth-api/auth/logout", {
      jar,
      headers: { "x-csrf-token": login.body.csrf_token },
    });
    expect(out.status).toBe(204);
    expect(jar.get(REFRESH_COOKIE)).toBeUndefined();
  });

  it("OAuth refresh with a DPoP proof naming the prefixed URL; JWKS and metadata name the prefixed issuer", async () => {
    const email = await newUser();
    const key = await proofKey("ES256");
    const login = await call("POST", "/auth-api/auth/login", {
      json: { email, password: STRONG_PASSWORD, token_delivery: "body" },
      headers: { dpop: await makeProof(key, { htm: "POST", htu: `${ISSUER}/auth/login` }) },
    });
    expect([login.status, login.body.token_type]).toEqual([200, "DPoP"]);
    const token = await call("POST", "/auth-api/oauth/token", {
      form: { grant_type: "refresh_token", refresh_token: login.body.refresh_token },
      headers: { dpop: await makeProof(key, { htm: "POST", htu: `${ISSUER}/oauth/token` }) },
    });
    expect([token.status, token.body.token_type]).toEqual([200, "DPoP"]);
    // A proof for the URL without the prefix is refused.
    const wrongHtu = await call("POST", "/auth-api/oauth/token", {
      form: { grant_type: "refresh_token", refresh_token: token.body.refresh_token },
      headers: { dpop: await makeProof(key, { htm: "POST", htu: "http://app.example.test/oauth/token" }) },
    });
    expect(wrongHtu.status).toBe(400);

    const metadata = await call("GET", "/auth-api/.well-known/oauth-authorization-server");
    expect(metadata.body).toMatchObject({
      issuer: ISSUER,
      token_endpoint: `${ISSUER}/oauth/token`,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      revocation_endpoint: `${ISSUER}/oauth/revoke`,
      introspection_endpoint: `${ISSUER}/oauth/introspect`,
    });
    const jwks = await call("GET", "/auth-api/.well-known/jwks.json");
    expect(jwks.body.keys.length).toBeGreaterThan(0);
    const verifier = createVerifier({ issuer: ISSUER, audience: "tessera", keys: jwks.body.keys });
    const bearer = await call("POST", "/auth-api/auth/login", { json: { email, password: STRONG_PASSWORD } });
    expect((await verifier.verify(bearer.body.access_token)).iss).toBe(ISSUER);
    const introspected = await call("POST", "/auth-api/oauth/introspect", {
      form: { token: bearer.body.access_token },
      headers: { authorization: RESOURCE_BASIC },
    });
    expect([introspected.status, introspected.body.active, introspected.body.iss]).toEqual([
      200,
      true,
      ISSUER,
    ]);
  });

  it("the app's own routes are untouched; Tessera's errors, headers and CORS stay under the prefix", async () => {
    const home = await call("GET", "/");
    expect([home.status, home.body]).toEqual([200, { page: "home" }]);
    const hello = await call("GET", "/api/hello");
    expect([hello.status, hello.body]).toEqual([200, { hello: "world" }]);
    expect(hello.headers.get("content-security-policy")).toBeNull();
    expect(hello.headers.get("cache-control")).toBeNull();
    expect((await call("GET", "/nowhere")).body.error).toBe("Not Found"); // Fastify's own 404

    const missing = await call("GET", "/auth-api/nowhere");
    expect([missing.status, missing.body.error]).toEqual([404, "not_found"]);
    const wrongMethod = await call("GET", "/auth-api/auth/login");
    expect([wrongMethod.status, wrongMethod.body.error, wrongMethod.headers.get("allow")]).toEqual([
      405,
      "method_not_allowed",
      "POST",
    ]);
    expect(wrongMethod.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect((await call("GET", "/auth/login")).status).toBe(404); // not at the root

    const preflight = await call("OPTIONS", "/auth-api/auth/login", {
      headers: {
        origin: PAGE,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect([preflight.status, preflight.headers.get("access-control-allow-origin")]).toEqual([204, PAGE]);
    const foreign = await call("POST", "/auth-api/auth/login", {
      json: { email: "x@example.test", password: STRONG_PASSWORD },
      headers: { origin: "http://evil.example.test" },
    });
    expect(foreign.status).toBe(403);
    const bigBody = await call("POST", "/auth-api/auth/login", {
      json: { email: "x".repeat(20_000), password: "p" },
    });
    expect([bigBody.status, bigBody.body.error]).toEqual([413, "payload_too_large"]);
  });

  // Regression (found by the fuzz suite on `tessera serve`): the CORS preflight route answered
  // Fastify's own error JSON or @fastify/cors's text/plain 400 instead of `{error, message}`.
  it("answers malformed preflights under the prefix with the documented JSON", async () => {
    // An Origin without Access-Control-Request-Method; an empty body labelled JSON.
    const cases: Array<Record<string, string>> = [{ origin: PAGE }, { "content-type": "application/json" }];
    for (const headers of cases) {
      const url = new URL("/auth-api/auth/refresh", base);
      const res = await fetch(url, { method: "OPTIONS", headers, body: "" });
      const text = await res.text();
      expect(res.headers.get("content-type"), JSON.stringify(headers)).toMatch(/^application\/json/);
      expect([res.status, Object.keys(JSON.parse(text)).sort()]).toEqual([400, ["error", "message"]]);
    }
  });

  it("refuses a weak resource secret, as the server's configuration does", async () => {
    const other = Fastify();
    await expect(
      other.register(tesseraRoutes, {
        tessera,
        prefix: "/auth-api",
        resourceSecrets: [{ id: "api", secret: "short" }],
      }),
    ).rejects.toThrow(/resourceSecrets api: expected a secret of at least 32 characters/);
    await other.close().catch(() => {});
  });

  it("refuses to mount where the issuer does not end with the prefix", async () => {
    const other = Fastify();
    const elsewhere = await newTessera("http://app.example.test/other");
    try {
      await expect(
        other.register(tesseraRoutes, { tessera: elsewhere, prefix: "/auth-api" }),
      ).rejects.toThrow(/must end with the mount prefix "\/auth-api"/);
    } finally {
      await other.close().catch(() => {});
      await elsewhere.close();
    }
  });
});

describe("the README's tesseraRoutes example", () => {
  it("runs as written (SQLite in place of PostgreSQL) and serves the prefixed routes", async () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const block = codeBlock(readme, "ts", "### Inside your own Fastify app: `tesseraRoutes`");
    const own = Fastify();
    own.get("/", async () => ({ page: "home" }));
    let opened: Store | undefined;
    vi.stubEnv("TESSERA_MASTER_KEY", MASTER_KEY_HEX);
    try {
      const mounted = (await runBlock(
        block,
        {
          app: own,
          openStore: (config: { kind: string }) => {
            expect(config.kind).toBe("postgres");
            opened = openStore({ kind: "sqlite", path: ":memory:" });
            return opened;
          },
        },
        "tessera",
      )) as Tessera;
      const metadata = await own.inject("/auth-api/.well-known/oauth-authorization-server");
      expect(metadata.json()).toMatchObject({
        issuer: "https://app.example.com/auth-api",
        token_endpoint: "https://app.example.com/auth-api/oauth/token",
      });
      const email = uniqueEmail("readme");
      const register = await own.inject({
        method: "POST",
        url: "/auth-api/auth/register",
        payload: { email, password: STRONG_PASSWORD },
      });
      expect(register.statusCode).toBe(201);
      const login = await own.inject({
        method: "POST",
        url: "/auth-api/auth/login",
        payload: { email, password: STRONG_PASSWORD },
      });
      expect(login.statusCode).toBe(200);
      expect((await own.inject("/")).json()).toEqual({ page: "home" });
      await own.close();
      await mounted.close();
    } finally {
      vi.unstubAllEnvs();
      await opened?.close();
    }
  });
});
