import type { TokenSet } from "@tessera/core";
import { afterEach, describe, expect, it } from "vitest";
import { CTX, type Harness, outcome, PASSWORD, setUp } from "../test-support/harness.js";

const POLICY = {
  admin: ["users:read", "users:write"],
  viewer: ["orders:read"],
};

let h: Harness;
afterEach(async () => {
  await h?.close();
});

function payload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
}

let n = 0;
async function userWith(roles: string[], scope?: string): Promise<{ email: string; tokens: TokenSet }> {
  const email = `perm${++n}@example.com`;
  await h.tessera.adminCreateUser(email, PASSWORD, { roles });
  const tokens = await h.tessera.login({
    email,
    password: PASSWORD,
    context: CTX,
    ...(scope === undefined ? {} : { scope }),
  });
  return { email, tokens };
}

const refresh = (tokens: TokenSet, scope?: string) =>
  h.tessera.refresh({
    refreshToken: tokens.refreshToken,
    context: CTX,
    ...(scope === undefined ? {} : { scope }),
  });

describe("roles and scope in access tokens", () => {
  it("carries the user's roles and every permission they grant; a role outside the policy grants none", async () => {
    h = await setUp({ roles: POLICY });
    const { tokens } = await userWith(["viewer", "admin", "ghost"]);
    expect(payload(tokens.accessToken)).toMatchObject({
      roles: ["admin", "ghost", "viewer"],
      scope: "users:read users:write orders:read",
    });
    expect(tokens.scope).toBe("users:read users:write orders:read");
    expect(await h.tessera.undefinedHeldRoles()).toEqual(["ghost"]);
    expect(h.tessera.scopesSupported()).toEqual(["orders:read", "users:read", "users:write"]);
  });

  it("a user without roles gets neither claim", async () => {
    h = await setUp({ roles: POLICY });
    const { tokens } = await userWith([]);
    expect(payload(tokens.accessToken)).not.toHaveProperty("roles");
    expect(payload(tokens.accessToken)).not.toHaveProperty("scope");
    expect(tokens.scope).toBe("");
  });

  it("login narrows to the asked scope, and to what the user holds", async () => {
    h = await setUp({ roles: POLICY });
    const { tokens } = await userWith(["admin"], "users:read orders:read");
    expect(tokens.scope).toBe("users:read");
    expect(payload(tokens.accessToken).scope).toBe("users:read");
    // The session keeps its asked scope: a refresh gives the same, not more.
    expect((await refresh(tokens)).scope).toBe("users:read");
  });

  it("a refresh may narrow for one token only; asking for more is invalid_scope and consumes nothing", async () => {
    h = await setUp({ roles: POLICY });
    const { tokens } = await userWith(["admin"]);
    expect(await outcome(refresh(tokens, "users:read orders:read"))).toBe("invalid_scope");
    expect(await outcome(refresh(tokens, "bad\\scope"))).toBe("invalid_scope");
    const narrowed = await refresh(tokens, "users:write");
    expect(narrowed.scope).toBe("users:write");
    const next = await refresh(narrowed);
    expect(next.scope).toBe("users:read users:write");

    const { tokens: asked } = await userWith(["admin"], "users:read");
    expect(await outcome(refresh(asked, "users:write"))).toBe("invalid_scope");
    expect((await refresh(asked, "users:read")).scope).toBe("users:read");
  });

  it("the grace re-issue carries current claims and honours the refresh's own scope", async () => {
    h = await setUp({ roles: POLICY, refreshGraceMs: 10_000 });
    const { tokens } = await userWith(["admin"]);
    const first = await refresh(tokens);
    const again = await refresh(tokens, "users:read");
    expect(again.refreshToken).toBe(first.refreshToken);
    expect(payload(again.accessToken)).toMatchObject({ roles: ["admin"], scope: "users:read" });
  });

  it("rejects bad role names and more than 32 roles with invalid_input", async () => {
    h = await setUp({ roles: POLICY });
    expect(await outcome(h.tessera.adminCreateUser("bad@example.com", PASSWORD, { roles: ["Admin"] }))).toBe(
      "invalid_input",
    );
    const many = Array.from({ length: 33 }, (_, i) => `r${i}`);
    expect(await outcome(h.tessera.adminCreateUser("many@example.com", PASSWORD, { roles: many }))).toBe(
      "invalid_input",
    );
    const { email } = await userWith(["admin"]);
    expect(await outcome(h.tessera.adminChangeRoles(email, { add: many }))).toBe("invalid_input");
    expect(await outcome(h.tessera.adminChangeRoles(email, { add: ["x y"] }))).toBe("invalid_input");
    expect(await outcome(h.tessera.adminChangeRoles("nobody@example.com", { add: ["a"] }))).toBe("not_found");
    expect((await h.tessera.adminChangeRoles(email, { add: many.slice(0, 31) })).roles).toHaveLength(32);
  });
});

describe("a downgrade takes effect without logging anyone out", () => {
  it("removing a role refuses earlier access tokens at once; the session's next refresh lacks it", async () => {
    h = await setUp({ roles: POLICY });
    const { email, tokens } = await userWith(["admin", "viewer"]);
    await h.tessera.adminChangeRoles(email, { remove: ["admin"] });
    expect(await outcome(h.tessera.authenticate(tokens.accessToken))).toBe("token_revoked");
    const next = await refresh(tokens);
    expect(payload(next.accessToken)).toMatchObject({ roles: ["viewer"], scope: "orders:read" });
    expect(next.sessionId).toBe(tokens.sessionId);
    await expect(h.tessera.authenticate(next.accessToken)).resolves.toMatchObject({ roles: ["viewer"] });
    const [event] = await h.tessera.listAudit({ type: "user.roles_changed" });
    expect(event?.data).toMatchObject({ removed: "admin", added: "" });
  });

  it("adding a role revokes nothing; the next token carries it", async () => {
    h = await setUp({ roles: POLICY });
    const { email, tokens } = await userWith(["viewer"]);
    await h.tessera.adminChangeRoles(email, { add: ["admin"] });
    await expect(h.tessera.authenticate(tokens.accessToken)).resolves.toBeTruthy();
    expect(payload((await refresh(tokens)).accessToken).roles).toEqual(["admin", "viewer"]);
  });

  it("a permission removed from the policy at restart bumps only the users holding that role", async () => {
    h = await setUp({ roles: POLICY });
    const { tokens: admin } = await userWith(["admin"]);
    const { tokens: viewer } = await userWith(["viewer"]);
    // Same policy again: nothing happens.
    await h.another({ roles: { viewer: ["orders:read"], admin: ["users:write", "users:read"] } });
    await expect(h.tessera.authenticate(admin.accessToken)).resolves.toBeTruthy();
    // A permission added: nothing is revoked either.
    await h.another({ roles: { ...POLICY, viewer: ["orders:read", "orders:write"] } });
    await expect(h.tessera.authenticate(viewer.accessToken)).resolves.toBeTruthy();

    const restarted = await h.another({
      roles: { admin: ["users:read"], viewer: ["orders:read", "orders:write"] },
    });
    expect(await outcome(restarted.authenticate(admin.accessToken))).toBe("token_revoked");
    await expect(restarted.authenticate(viewer.accessToken)).resolves.toBeTruthy();
    const next = await restarted.refresh({ refreshToken: admin.refreshToken, context: CTX });
    expect(next.scope).toBe("users:read");
    // A tool started without a policy (a CLI command) does not count as "everything removed".
    await h.another({});
    await expect(restarted.authenticate(next.accessToken)).resolves.toBeTruthy();
  });
});

describe("the claims hook", () => {
  it("adds claims at every issuance, from the user and session of that moment", async () => {
    const seen: string[] = [];
    h = await setUp({
      roles: POLICY,
      claims: ({ user, session }) => {
        seen.push(session.scope);
        return { tenant: user.email.split("@")[1], level: user.roles.length };
      },
    });
    const { email, tokens } = await userWith(["admin"]);
    expect(payload(tokens.accessToken)).toMatchObject({ tenant: "example.com", level: 1 });
    await h.tessera.adminChangeRoles(email, { add: ["viewer"] });
    expect(payload((await refresh(tokens)).accessToken)).toMatchObject({ level: 2 });
    expect(seen).toEqual(["users:read users:write", "users:read users:write orders:read"]);
  });

  it("refuses registered claim names and tokens over 8 KiB with claims_rejected", async () => {
    for (const name of ["sub", "scope", "roles", "epoch", "cnf", "nbf"]) {
      h = await setUp({ claims: () => ({ [name]: "x" }) });
      expect(await outcome(userWith([]))).toBe("claims_rejected");
      await h.close();
    }
    h = await setUp({ claims: () => ({ blob: "x".repeat(8192) }) });
    expect(await outcome(userWith([]))).toBe("claims_rejected");
  });

  it("refuses a malformed policy or hook when the service is created", async () => {
    await expect(setUp({ roles: { Admin: ["a"] } })).rejects.toThrow(TypeError);
    await expect(setUp({ roles: { admin: ["has space"] } })).rejects.toThrow(TypeError);
    // biome-ignore lint/suspicious/noExplicitAny: a JavaScript caller
    await expect(setUp({ claims: "nope" as any })).rejects.toThrow(TypeError);
  });
});
