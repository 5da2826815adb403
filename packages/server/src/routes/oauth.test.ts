import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  leakedSecrets,
  RESOURCE_ID,
  RESOURCE_SECRET,
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from "../test-support/test-server.js";

let server: TestServer;
const basic = (id = RESOURCE_ID, secret = RESOURCE_SECRET) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

beforeAll(async () => {
  server = await startTestServer({ TESSERA_REFRESH_GRACE: "0s" });
});
afterAll(async () => {
  await server?.close();
});

async function nativeLogin() {
  const email = uniqueEmail();
  await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
  const res = await server.call("POST", "/auth/login", {
    json: { email, password: STRONG_PASSWORD, token_delivery: "body" },
  });
  expect(res.status).toBe(200);
  return { email, access: res.body.access_token as string, refresh: res.body.refresh_token as string };
}

describe("POST /oauth/token", () => {
  it("rotates a body-delivered refresh token (RFC 6749 §5.1 answer, no CSRF needed)", async () => {
    const { refresh } = await nativeLogin();
    const res = await server.call("POST", "/oauth/token", {
      form: { grant_type: "refresh_token", refresh_token: refresh },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: "Bearer",
      expires_in: 900,
      refresh_token: expect.any(String),
      scope: "",
    });
    expect(res.body.refresh_token).not.toBe(refresh);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("pragma")).toBe("no-cache");
    expect(res.setCookies).toEqual([]);
  });

  it("answers each RFC 6749 §5.2 error", async () => {
    const { refresh } = await nativeLogin();
    const cases: Array<[Record<string, string> | string, string]> = [
      [{}, "invalid_request"],
      [{ grant_type: "refresh_token" }, "invalid_request"],
      [{ grant_type: "password", username: "a", password: "b" }, "unsupported_grant_type"],
      [{ grant_type: "authorization_code", code: "x" }, "unsupported_grant_type"],
      [{ grant_type: "refresh_token", refresh_token: "garbage-token" }, "invalid_grant"],
      [`grant_type=refresh_token&refresh_token=${refresh}&refresh_token=${refresh}`, "invalid_request"],
    ];
    for (const [form, code] of cases) {
      const res =
        typeof form === "string"
          ? await server.call("POST", "/oauth/token", {
              body: form,
              headers: { "content-type": "application/x-www-form-urlencoded" },
            })
          : await server.call("POST", "/oauth/token", { form });
      expect(res.status, code).toBe(400);
      expect(res.body.error).toBe(code);
      expect(res.body.error_description).toEqual(expect.any(String));
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
    // The token was not consumed by any of the malformed requests.
    const ok = await server.call("POST", "/oauth/token", {
      form: { grant_type: "refresh_token", refresh_token: refresh },
    });
    expect(ok.status).toBe(200);
  });

  it("detects reuse of a spent refresh token: invalid_grant, and the successor dies", async () => {
    const { refresh } = await nativeLogin();
    const first = await server.call("POST", "/oauth/token", {
      form: { grant_type: "refresh_token", refresh_token: refresh },
    });
    expect(first.status).toBe(200);
    const reuse = await server.call("POST", "/oauth/token", {
      form: { grant_type: "refresh_token", refresh_token: refresh },
    });
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe("invalid_grant");
    const successor = await server.call("POST", "/oauth/token", {
      form: { grant_type: "refresh_token", refresh_token: first.body.refresh_token },
    });
    expect(successor.status).toBe(400);
    expect((await server.call("GET", "/auth/me", { bearer: first.body.access_token })).status).toBe(401);
  });

  it("accepts form bodies only (JSON is 415)", async () => {
    const res = await server.call("POST", "/oauth/token", {
      json: { grant_type: "refresh_token", refresh_token: "x" },
    });
    expect(res.status).toBe(415);
    expect(res.body.error).toBe("unsupported_media_type");
  });
});

describe("POST /oauth/revoke (RFC 7009)", () => {
  it("revokes the session of a refresh token and answers 200", async () => {
    const { refresh, access } = await nativeLogin();
    const res = await server.call("POST", "/oauth/revoke", {
      form: { token: refresh, token_type_hint: "refresh_token" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const after = await server.call("POST", "/oauth/token", {
      form: { grant_type: "refresh_token", refresh_token: refresh },
    });
    expect(after.body.error).toBe("invalid_grant");
    expect((await server.call("GET", "/auth/me", { bearer: access })).status).toBe(401);
  });

  it("revokes the session of an access token", async () => {
    const { refresh, access } = await nativeLogin();
    expect((await server.call("POST", "/oauth/revoke", { form: { token: access } })).status).toBe(200);
    expect((await server.call("GET", "/auth/me", { bearer: access })).status).toBe(401);
    const after = await server.call("POST", "/oauth/token", {
      form: { grant_type: "refresh_token", refresh_token: refresh },
    });
    expect(after.status).toBe(400);
  });

  it("answers 200 for an unknown token and 400 when token is missing", async () => {
    expect((await server.call("POST", "/oauth/revoke", { form: { token: "no-such-token" } })).status).toBe(
      200,
    );
    const missing = await server.call("POST", "/oauth/revoke", { form: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe("invalid_request");
  });
});

describe("resource-server endpoints", () => {
  it("introspection needs the resource credential: 401 + Basic challenge otherwise", async () => {
    const { access } = await nativeLogin();
    for (const authorization of [
      undefined,
      basic(RESOURCE_ID, "wrong-secret-0123456789"),
      basic("other", RESOURCE_SECRET),
      "Bearer x",
    ]) {
      const res = await server.call("POST", "/oauth/introspect", {
        form: { token: access },
        headers: authorization ? { authorization } : {},
      });
      expect(res.status).toBe(401);
      expect(res.body.error).toBe("invalid_client");
      expect(res.headers.get("www-authenticate")).toMatch(/^Basic realm="tessera"/);
      expect(res.text).not.toContain("active");
    }
  });

  it("introspects an access token (active with claims), and an unusable one as inactive", async () => {
    const { access, email } = await nativeLogin();
    const res = await server.call("POST", "/oauth/introspect", {
      form: { token: access },
      headers: { authorization: basic() },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ active: true, sub: expect.any(String), sid: expect.any(String) });
    expect(res.body.username ?? email).toBe(email);
    const bad = await server.call("POST", "/oauth/introspect", {
      form: { token: "garbage.token.value" },
      headers: { authorization: basic() },
    });
    expect(bad.status).toBe(200);
    expect(bad.body).toEqual({ active: false });
    const missing = await server.call("POST", "/oauth/introspect", {
      form: {},
      headers: { authorization: basic() },
    });
    expect(missing.status).toBe(400);
  });

  it("serves the revocation feed with an ETag; an unchanged poll is a 304", async () => {
    expect((await server.call("GET", "/oauth/revocations")).status).toBe(401);
    const first = await server.call("GET", "/oauth/revocations", { headers: { authorization: basic() } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      cursor: expect.any(String),
      users: expect.any(Array),
      sessions: expect.any(Array),
      more: false,
    });
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^".+"$/);
    const again = await server.call("GET", "/oauth/revocations", {
      headers: { authorization: basic(), "if-none-match": etag ?? "" },
    });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");

    const { access } = await nativeLogin();
    await server.call("POST", "/auth/logout-all", { bearer: access });
    const changed = await server.call("GET", "/oauth/revocations", {
      headers: { authorization: basic(), "if-none-match": etag ?? "" },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.users.length).toBeGreaterThan(0);
    const since = await server.call(
      "GET",
      `/oauth/revocations?since=${encodeURIComponent(changed.body.cursor)}`,
      {
        headers: { authorization: basic() },
      },
    );
    expect(since.status).toBe(200);
    expect(since.body.users).toEqual([]);
    expect(since.body.sessions).toEqual([]);
  });
});

describe("discovery and operations", () => {
  it("publishes public keys only, each with kid, alg and use:sig, cacheable", async () => {
    const res = await server.call("GET", "/.well-known/jwks.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    expect(res.body.keys.length).toBeGreaterThan(0);
    for (const key of res.body.keys) {
      expect(key).toMatchObject({ kid: expect.any(String), alg: "EdDSA", use: "sig", kty: "OKP" });
      for (const priv of ["d", "p", "q", "dp", "dq", "qi", "k"]) expect(key[priv]).toBeUndefined();
    }
  });

  it("serves RFC 8414 metadata naming every endpoint", async () => {
    const res = await server.call("GET", "/.well-known/oauth-authorization-server");
    expect(res.status).toBe(200);
    const issuer = server.config.issuer;
    expect(res.body).toMatchObject({
      issuer,
      token_endpoint: `${issuer}/oauth/token`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      introspection_endpoint: `${issuer}/oauth/introspect`,
      grant_types_supported: ["refresh_token"],
      token_endpoint_auth_methods_supported: ["none"],
      introspection_endpoint_auth_methods_supported: ["client_secret_basic"],
    });
  });

  it("answers healthz, readyz and Prometheus metrics", async () => {
    expect((await server.call("GET", "/healthz")).body).toEqual({ status: "ok" });
    expect((await server.call("GET", "/readyz")).body).toEqual({ status: "ready" });
    const metrics = await server.call("GET", "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/tessera_logins_total\{outcome="success"\} \d+/);
    expect(metrics.text).toMatch(/tessera_refreshes_total\{outcome="success"\} \d+/);
    expect(metrics.text).toMatch(/tessera_refresh_reuse_detected_total [1-9]/);
    expect(metrics.text).toMatch(/tessera_revocations_total\{reason="oauth_revoke"\} [1-9]/);
    expect(metrics.text).toMatch(
      /tessera_http_request_duration_seconds_bucket\{.*route="\/oauth\/token".*\}/,
    );
    expect(metrics.text).not.toMatch(/route="\/auth\/me\?/);
  });

  it("readyz answers 503 store_unavailable when the store is down", async () => {
    const down = await startTestServer();
    try {
      await down.store.close();
      const res = await down.call("GET", "/readyz");
      expect(res.status).toBe(503);
      expect(res.body.error).toBe("store_unavailable");
      expect((await down.call("GET", "/healthz")).status).toBe(200);
    } finally {
      await down.app.close();
    }
  });

  it("sends the security headers, and HSTS only in production", async () => {
    const res = await server.call("GET", "/healthz");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("strict-transport-security")).toBeNull();
    const prod = await startTestServer(
      { NODE_ENV: "production", TESSERA_SMTP_URL: "smtp://127.0.0.1:2525", TESSERA_TRUST_PROXY: "loopback" },
      { listen: false },
    );
    try {
      const answer = await prod.app.inject({ method: "GET", url: "/healthz" });
      expect(answer.headers["strict-transport-security"]).toMatch(/^max-age=31536000/);
    } finally {
      await prod.close();
    }
  });

  it("answers unknown paths 404 and wrong methods 405 with Allow, as JSON", async () => {
    const missing = await server.call("GET", "/nope");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: "not_found", message: expect.any(String) });
    const wrong = await server.call("GET", "/auth/login");
    expect(wrong.status).toBe(405);
    expect(wrong.body.error).toBe("method_not_allowed");
    expect(wrong.headers.get("allow")).toBe("POST");
  });
});

it("wrote no token, CSRF token or password to the log or the audit trail", async () => {
  const audit = JSON.stringify(await server.store.listAudit({ limit: 10_000 }));
  expect(leakedSecrets(audit)).toEqual([]);
});
