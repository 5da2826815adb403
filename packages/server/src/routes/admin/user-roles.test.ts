import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createVerifier,
  type HttpRevocationSource,
  httpRevocationSource,
  VerifyError,
} from "@tessera/verify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminCalls } from "../../test-support/admin-calls.js";
import {
  ADMIN_ENV,
  RESOURCE_ID,
  RESOURCE_SECRET,
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from "../../test-support/test-server.js";
import { payloadOf } from "../../test-support/token-payload.js";

// `roles` on POST and PATCH /admin/users, and PATCH as all-or-nothing.

const dir = mkdtempSync(join(tmpdir(), "tessera-admin-roles-"));
const rolesFile = join(dir, "roles.json");
writeFileSync(rolesFile, JSON.stringify({ roles: { orders: ["orders:read"], support: ["tickets:read"] } }));

let server: TestServer;
let admin: ReturnType<typeof adminCalls>;
let source: HttpRevocationSource;
beforeAll(async () => {
  server = await startTestServer({
    ...ADMIN_ENV,
    TESSERA_ROLES_FILE: rolesFile,
    TESSERA_REFRESH_GRACE: "0s",
  });
  admin = adminCalls(server);
  source = httpRevocationSource({
    url: `${server.url}/oauth/revocations`,
    clientId: RESOURCE_ID,
    clientSecret: RESOURCE_SECRET,
    intervalMs: 600_000, // polls only when the test says so
  });
});
afterAll(async () => {
  source?.close();
  await server?.close();
});

async function createWithRoles(roles: unknown) {
  return admin.call("POST", "/admin/users", {
    email: uniqueEmail("roles"),
    password: STRONG_PASSWORD,
    roles,
  });
}

describe("roles on POST /admin/users", () => {
  it("stores and answers them sorted; the user's tokens carry them and their permissions", async () => {
    const res = await createWithRoles(["support", "orders", "support"]);
    expect(res.status).toBe(201);
    expect(res.body.user.roles).toEqual(["orders", "support"]);
    const login = await admin.login(res.body.user.email);
    expect(payloadOf(login.access)).toMatchObject({
      roles: ["orders", "support"],
      scope: "orders:read tickets:read",
    });
    expect((await admin.call("GET", `/admin/users/${res.body.user.id}`)).body.user.roles).toEqual([
      "orders",
      "support",
    ]);
    const created = await server.store.listAudit({ userId: res.body.user.id, type: "user.registered" });
    expect(created[0]?.data).toMatchObject({ by: "admin", roles: "orders support" });
  });

  it("a role the file does not define may be given (it grants nothing), as with the CLI and import", async () => {
    const res = await createWithRoles(["auditor"]);
    expect([res.status, res.body.user.roles]).toEqual([201, ["auditor"]]);
    const login = await admin.login(res.body.user.email);
    expect([login.res.body.scope, payloadOf(login.access).roles]).toEqual(["", ["auditor"]]);
  });

  it("a bad role name, more than 32 roles or a non-list is 400 invalid_input and creates no one", async () => {
    const tooMany = Array.from({ length: 33 }, (_, i) => `role${i}`);
    for (const roles of [["Admin"], ["has space"], [""], tooMany, "orders", [1], { orders: true }, null]) {
      const email = uniqueEmail("bad-roles");
      const res = await admin.call("POST", "/admin/users", { email, password: STRONG_PASSWORD, roles });
      expect([res.status, res.body.error], JSON.stringify(roles)).toEqual([400, "invalid_input"]);
      expect(await server.store.getUserByEmail(email)).toBeNull();
    }
  });
});

describe("roles on PATCH /admin/users/:id", () => {
  async function verdict(token: string): Promise<string> {
    const verifier = createVerifier({
      issuer: server.config.issuer,
      audience: "tessera",
      jwksUri: `${server.url}/.well-known/jwks.json`,
      revocation: source,
    });
    try {
      await verifier.verify(token);
      return "valid";
    } catch (error) {
      if (error instanceof VerifyError) return error.code;
      throw error;
    }
  }

  it("removing a role refuses earlier access tokens at the server and at verifiers; the session lives on with the new roles", async () => {
    const user = (await createWithRoles(["orders", "support"])).body.user;
    const before = await admin.login(user.email);
    await source.ready;
    expect(await verdict(before.access)).toBe("valid");

    const res = await admin.call("PATCH", `/admin/users/${user.id}`, { roles: ["support"] });
    expect([res.status, res.body.user.roles]).toEqual([200, ["support"]]);
    expect((await server.call("GET", "/auth/me", { bearer: before.access })).status).toBe(401);
    await source.refresh();
    expect(await verdict(before.access)).toBe("token_revoked");

    const refreshed = await admin.refresh(before.jar, before.csrf);
    expect(refreshed.status).toBe(200);
    expect(payloadOf(refreshed.body.access_token)).toMatchObject({
      roles: ["support"],
      scope: "tickets:read",
    });
    expect((await server.call("GET", "/auth/me", { bearer: refreshed.body.access_token })).status).toBe(200);
    const audit = await server.store.listAudit({ userId: user.id, type: "user.roles_changed" });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.data).toMatchObject({ added: "", removed: "orders" });
  });

  it("adding a role revokes nothing; the same list again changes and audits nothing", async () => {
    const user = (await createWithRoles(["support"])).body.user;
    const before = await admin.login(user.email);
    const res = await admin.call("PATCH", `/admin/users/${user.id}`, { roles: ["support", "orders"] });
    expect(res.body.user.roles).toEqual(["orders", "support"]);
    expect((await server.call("GET", "/auth/me", { bearer: before.access })).status).toBe(200);
    expect(
      (await admin.call("PATCH", `/admin/users/${user.id}`, { roles: ["orders", "support"] })).status,
    ).toBe(200);
    expect((await server.call("GET", "/auth/me", { bearer: before.access })).status).toBe(200);
    const audit = await server.store.listAudit({ userId: user.id, type: "user.roles_changed" });
    expect(audit.map((row) => row.data)).toEqual([expect.objectContaining({ added: "orders", removed: "" })]);
  });
});

describe("PATCH /admin/users/:id is all or nothing", () => {
  /** What a PATCH could have changed, read back over HTTP and from the store. */
  async function stateOf(
    user: { id: string; email: string },
    session: Awaited<ReturnType<typeof admin.login>>,
  ) {
    const stored = await server.store.getUserById(user.id);
    return {
      user: (await admin.call("GET", `/admin/users/${user.id}`)).body.user,
      passwordHash: stored?.passwordHash,
      tokenEpoch: stored?.tokenEpoch,
      accessStillValid: (await server.call("GET", "/auth/me", { bearer: session.access })).status,
    };
  }

  it("a PATCH refused on any one field (bad role, taken e-mail, weak password, bad flag) changes no field", async () => {
    const user = (await createWithRoles(["orders", "support"])).body.user;
    const other = (await createWithRoles([])).body.user;
    const session = await admin.login(user.email);
    const before = await stateOf(user, session);
    expect(before.accessStillValid).toBe(200);
    const everything = { email: uniqueEmail("moved"), password: "a brand new passphrase 77", disabled: true };
    const refused: Array<[Record<string, unknown>, number, string]> = [
      [{ ...everything, roles: ["Not A Role"] }, 400, "invalid_input"],
      [{ ...everything, roles: Array.from({ length: 33 }, (_, i) => `r${i}`) }, 400, "invalid_input"],
      [{ ...everything, roles: [], email: other.email }, 409, "email_taken"],
      [{ ...everything, roles: [], password: "short" }, 400, "weak_password"],
      [{ ...everything, roles: [], disabled: "yes" }, 400, "invalid_request"],
      [{ ...everything, roles: [], email: "not an address" }, 400, "invalid_input"],
    ];
    for (const [body, status, error] of refused) {
      const res = await admin.call("PATCH", `/admin/users/${user.id}`, body);
      expect([res.status, res.body.error], JSON.stringify(body)).toEqual([status, error]);
      expect(await stateOf(user, session), JSON.stringify(body)).toEqual(before);
    }
    expect((await admin.refresh(session.jar, session.csrf)).status).toBe(200);
    expect((await admin.login(user.email)).res.status).toBe(200);
  });
});
