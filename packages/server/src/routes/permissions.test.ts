import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { postgresTestsEnabled, startTestPostgres, type TestPostgres } from "@tessera/store-postgres/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar } from "../test-support/cookie-jar.js";
import {
  capturedLogLines,
  RESOURCE_ID,
  RESOURCE_SECRET,
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from "../test-support/test-server.js";

// Roles, scope and the downgrade path over real HTTP, with a roles file.

const dir = mkdtempSync(join(tmpdir(), "tessera-roles-"));
const rolesFile = join(dir, "roles.json");
writeFileSync(
  rolesFile,
  JSON.stringify({ roles: { admin: ["users:read", "users:write"], viewer: ["orders:read"] } }),
);

const env = { TESSERA_ROLES_FILE: rolesFile, TESSERA_REFRESH_GRACE: "0s" };

const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));

/** The same cases on every store: in-memory SQLite, and PostgreSQL when its binaries are installed. */
function permissionCases(start: (env: Record<string, string>) => Promise<TestServer>): void {
  let server: TestServer;
  beforeAll(async () => {
    server = await start(env);
  });
  afterAll(async () => {
    await server?.close();
  });

  /** A registered user holding `roles` (set through the store, as the CLI does). */
  async function userWith(roles: string[]): Promise<{ email: string; id: string }> {
    const email = uniqueEmail("roles");
    const reg = await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
    expect(reg.status).toBe(201);
    const id = reg.body.user.id as string;
    await server.store.changeUserRoles({ userId: id, add: roles, remove: [], maxRoles: 32, now: Date.now() });
    return { email, id };
  }

  async function login(email: string, extra: Record<string, unknown> = {}, jar?: CookieJar) {
    const res = await server.call("POST", "/auth/login", {
      json: { email, password: STRONG_PASSWORD, ...extra },
      ...(jar ? { jar } : {}),
    });
    expect(res.status).toBe(200);
    return res.body as { access_token: string; refresh_token?: string; csrf_token: string; scope: string };
  }

  const oauthRefresh = (refreshToken: string, scope?: string) =>
    server.call("POST", "/oauth/token", {
      form: {
        grant_type: "refresh_token",
        refresh_token: refreshToken,
        ...(scope === undefined ? {} : { scope }),
      },
    });

  describe("permissions in tokens over HTTP", () => {
    it("an admin's token carries roles:[admin] and the file's permissions; /auth/me and introspection say so", async () => {
      const { email, id } = await userWith(["admin"]);
      const body = await login(email);
      expect(body.scope).toBe("users:read users:write");
      expect(claimsOf(body.access_token)).toMatchObject({
        roles: ["admin"],
        scope: "users:read users:write",
      });

      const me = await server.call("GET", "/auth/me", { bearer: body.access_token });
      expect(me.body).toEqual({
        user: { id, email, roles: ["admin"], email_verified: false },
        session: { id: expect.any(String), scope: "users:read users:write" },
      });
      const basic = `Basic ${Buffer.from(`${RESOURCE_ID}:${RESOURCE_SECRET}`).toString("base64")}`;
      const introspected = await server.call("POST", "/oauth/introspect", {
        form: { token: body.access_token },
        headers: { authorization: basic },
      });
      expect(introspected.body).toMatchObject({
        active: true,
        roles: ["admin"],
        scope: "users:read users:write",
      });
    });

    it("RFC 8414 metadata lists scopes_supported", async () => {
      const res = await server.call("GET", "/.well-known/oauth-authorization-server");
      expect(res.body.scopes_supported).toEqual(["orders:read", "users:read", "users:write"]);
    });

    it("a client asking for a subset gets that subset, at login and at refresh", async () => {
      const { email } = await userWith(["admin", "viewer"]);
      const body = await login(email, { scope: "users:read orders:read", token_delivery: "body" });
      expect(body.scope).toBe("users:read orders:read");
      expect(claimsOf(body.access_token).scope).toBe("users:read orders:read");
      const narrowed = await oauthRefresh(body.refresh_token as string, "orders:read");
      expect(narrowed.status).toBe(200);
      expect(narrowed.body.scope).toBe("orders:read");
      expect(claimsOf(narrowed.body.access_token).scope).toBe("orders:read");
      // A permission the user does not hold is narrowed away at login, not granted.
      expect((await login(email, { scope: "users:read billing:write" })).scope).toBe("users:read");
      // A malformed scope is bad input.
      const bad = await server.call("POST", "/auth/login", {
        json: { email, password: STRONG_PASSWORD, scope: 'quote"d' },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toBe("invalid_input");
    });

    it("a refresh asking for more is 400 invalid_scope and consumes nothing (cookie and /oauth/token)", async () => {
      const { email } = await userWith(["admin", "viewer"]);
      const body = await login(email, { scope: "orders:read", token_delivery: "body" });
      const more = await oauthRefresh(body.refresh_token as string, "orders:read users:write");
      expect(more.status).toBe(400);
      expect(more.body.error).toBe("invalid_scope");
      const same = await oauthRefresh(body.refresh_token as string);
      expect(same.status).toBe(200);
      expect(same.body.scope).toBe("orders:read");

      const jar = new CookieJar();
      const cookie = await login(email, { scope: "users:read" }, jar);
      const headers = { "x-csrf-token": cookie.csrf_token };
      const refused = await server.call("POST", "/auth/refresh", {
        jar,
        headers,
        json: { scope: "users:write" },
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({ error: "invalid_scope", message: expect.any(String) });
      const ok = await server.call("POST", "/auth/refresh", { jar, headers, json: { scope: "users:read" } });
      expect(ok.status).toBe(200);
      expect(ok.body.scope).toBe("users:read");
      expect((await server.call("POST", "/auth/refresh", { jar, headers })).status).toBe(200);
    });

    it("removing a role: the old token is 401 at once, the session lives, its refresh lacks the role", async () => {
      const { email, id } = await userWith(["admin", "viewer"]);
      const body = await login(email, { token_delivery: "body" });
      expect((await server.call("GET", "/auth/me", { bearer: body.access_token })).status).toBe(200);

      await server.store.changeUserRoles({
        userId: id,
        add: [],
        remove: ["admin"],
        maxRoles: 32,
        now: Date.now(),
      });

      const old = await server.call("GET", "/auth/me", { bearer: body.access_token });
      expect(old.status).toBe(401);
      expect(old.body.error).toBe("token_revoked");
      const next = await oauthRefresh(body.refresh_token as string);
      expect(next.status).toBe(200);
      expect(next.body.scope).toBe("orders:read");
      expect(claimsOf(next.body.access_token)).toMatchObject({ roles: ["viewer"], scope: "orders:read" });
      const me = await server.call("GET", "/auth/me", { bearer: next.body.access_token });
      expect(me.body.user.roles).toEqual(["viewer"]);
      expect(me.body.session.id).toBe(claimsOf(body.access_token).sid);
    });
  });

  describe("a role removal racing refreshes", () => {
    it("every token issued with the removed role is refused; every token issued after it works", async () => {
      const { email, id } = await userWith(["admin", "viewer"]);
      const sessions = await Promise.all(
        Array.from({ length: 8 }, () => login(email, { token_delivery: "body" })),
      );
      const [answers] = await Promise.all([
        Promise.all(sessions.map((s) => oauthRefresh(s.refresh_token as string))),
        server.store.changeUserRoles({
          userId: id,
          add: [],
          remove: ["admin"],
          maxRoles: 32,
          now: Date.now(),
        }),
      ]);
      for (const answer of answers) expect(answer.status).toBe(200);
      const outcomes = await Promise.all(
        answers.map(async (answer) => {
          const token = answer.body.access_token as string;
          const me = await server.call("GET", "/auth/me", { bearer: token });
          return { admin: (claimsOf(token).roles as string[]).includes("admin"), status: me.status };
        }),
      );
      // Whichever side of the removal a refresh landed on, no token still grants admin, and every
      // token without it works: roles and epoch are read together in the rotation's transaction.
      for (const { admin, status } of outcomes) expect(status).toBe(admin ? 401 : 200);
      // And every session is still alive: its next refresh carries the narrowed claims.
      const again = await Promise.all(answers.map((a) => oauthRefresh(a.body.refresh_token as string)));
      for (const answer of again) expect(claimsOf(answer.body.access_token).roles).toEqual(["viewer"]);
      for (const answer of again) {
        const me = await server.call("GET", "/auth/me", { bearer: answer.body.access_token as string });
        expect(me.status).toBe(200);
      }
    });
  });
}

describe("on SQLite", () => permissionCases(startTestServer));

describe.skipIf(!postgresTestsEnabled())("on PostgreSQL", () => {
  let pg: TestPostgres;
  afterAll(async () => {
    await pg?.stop();
  });
  permissionCases(async (more) => {
    pg ??= await startTestPostgres();
    return startTestServer({ ...more, TESSERA_DATABASE_URL: await pg.createDatabase() });
  });
});

describe("start-up with a roles file", () => {
  it("warns when a user holds a role the file does not define", async () => {
    const env = { TESSERA_ROLES_FILE: rolesFile, TESSERA_DATABASE_URL: `sqlite:${join(dir, "warn.db")}` };
    const first = await startTestServer(env);
    const reg = await first.call("POST", "/auth/register", {
      json: { email: uniqueEmail("ghost"), password: STRONG_PASSWORD },
    });
    await first.store.changeUserRoles({
      userId: reg.body.user.id,
      add: ["ghost"],
      remove: [],
      maxRoles: 32,
      now: 1,
    });
    await first.close();
    const warning = (line: string) => line.includes("TESSERA_ROLES_FILE") && line.includes("ghost");
    expect(capturedLogLines.filter(warning)).toEqual([]);
    const second = await startTestServer(env);
    await second.close();
    expect(capturedLogLines.filter(warning)).toHaveLength(1);
  });
});
