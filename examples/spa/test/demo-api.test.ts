import { createTestHasher } from "@tessera/core/testing";
import { createVerifier, httpRevocationSource } from "@tessera/verify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAuthServer, startAuthServer } from "../server/auth-server.js";
import { createDemoApi } from "../server/demo-api.js";

const PAGE_ORIGIN = "http://127.0.0.1:5173";
const PASSWORD = "correct horse battery staple";

describe("demo API (Hono + @tessera/verify against a real auth server)", () => {
  let auth: RunningAuthServer;
  let revocation: ReturnType<typeof httpRevocationSource>;
  let api: ReturnType<typeof createDemoApi>;

  beforeAll(async () => {
    auth = await startAuthServer({
      host: "127.0.0.1",
      port: 0,
      env: {
        TESSERA_ALLOWED_ORIGINS: PAGE_ORIGIN,
        TESSERA_RESOURCE_SECRETS: "demo-api:demo-api-secret-0123456789-Qx7Lm2Pv",
      },
      passwordHasher: createTestHasher(),
      logger: false,
    });
    revocation = httpRevocationSource({
      url: `${auth.url}/oauth/revocations`,
      clientId: "demo-api",
      clientSecret: "demo-api-secret-0123456789-Qx7Lm2Pv",
      intervalMs: 60_000,
    });
    await revocation.ready;
    const verifier = createVerifier({ issuer: auth.url, audience: auth.audience, revocation });
    api = createDemoApi({ verifier, pageOrigin: PAGE_ORIGIN });
  });

  afterAll(async () => {
    revocation?.close();
    await auth?.close();
  });

  let users = 0;
  async function accessToken(roles: string[] = []): Promise<string> {
    const email = `api${++users}@example.test`;
    const json = (body: unknown) => ({
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const registered = await fetch(`${auth.url}/auth/register`, json({ email, password: PASSWORD }));
    expect(registered.status).toBe(201);
    const { user } = (await registered.json()) as { user: { id: string } };
    if (roles.length > 0) {
      await auth.store.changeUserRoles({
        userId: user.id,
        add: roles,
        remove: [],
        maxRoles: 32,
        now: Date.now(),
      });
    }
    const login = await fetch(`${auth.url}/auth/login`, json({ email, password: PASSWORD }));
    return ((await login.json()) as { access_token: string }).access_token;
  }

  const profile = (token?: string) =>
    api.request("/api/profile", token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

  it("GET /api/admin: 200 for a token holding the admin role, 403 insufficient_scope otherwise, 401 without one", async () => {
    const admin = await api.request("/api/admin", {
      headers: { authorization: `Bearer ${await accessToken(["admin"])}` },
    });
    expect(admin.status).toBe(200);
    expect(await admin.json()).toMatchObject({ roles: ["admin"] });
    const user = await api.request("/api/admin", {
      headers: { authorization: `Bearer ${await accessToken()}` },
    });
    expect(user.status).toBe(403);
    expect(user.headers.get("www-authenticate")).toMatch(/^Bearer error="insufficient_scope"/);
    expect(await user.json()).toMatchObject({ error: "insufficient_scope" });
    expect((await api.request("/api/admin")).status).toBe(401);
  });

  it("answers the verified claims for a valid token, without echoing it", async () => {
    const token = await accessToken();
    const res = await profile(token);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(token);
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(body.issuer).toBe(auth.url);
    expect(typeof body.user).toBe("string");
    expect(typeof body.session).toBe("string");
  });

  it("refuses a request without a token with an RFC 6750 challenge", async () => {
    const res = await profile();
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    expect(((await res.json()) as { error: string }).error).toBe("token_missing");
  });

  it("refuses a token whose signature was tampered with", async () => {
    const [header, payload, signature = ""] = (await accessToken()).split(".");
    const flipped = `${signature.startsWith("A") ? "B" : "A"}${signature.slice(1)}`;
    const res = await profile(`${header}.${payload}.${flipped}`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe("signature_invalid");
  });

  it("refuses a token of a session ended at the auth server once the feed is polled", async () => {
    const token = await accessToken();
    expect((await profile(token)).status).toBe(200);
    const end = await fetch(`${auth.url}/auth/logout-all`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(end.status).toBe(204);
    await revocation.refresh();
    const res = await profile(token);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe("token_revoked");
  });

  it("grants CORS to the page's origin only", async () => {
    const preflight = (origin: string) =>
      api.request("/api/profile", {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "GET",
          "access-control-request-headers": "authorization",
        },
      });
    const allowed = await preflight(PAGE_ORIGIN);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(PAGE_ORIGIN);
    expect(allowed.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    expect(allowed.headers.get("access-control-allow-credentials")).toBeNull();

    const other = await preflight("http://evil.example");
    expect(other.headers.get("access-control-allow-origin")).not.toBe("http://evil.example");
  });
});
