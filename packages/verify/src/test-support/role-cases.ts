import { expect } from "vitest";
import type { Fixture, Send } from "./middleware-cases.js";

/**
 * `requireRole("admin")` and `requireScope("orders:write")` as every middleware must apply them.
 * Routes: `GET /admin` (auth + role `admin`, returns `{sub}`), `POST /orders` (auth + scope).
 */
export async function expectRoleBehaviour(send: Send, f: Fixture): Promise<void> {
  const admin = await f.issuer.token({ roles: ["admin", "support"], scope: "users:write" });
  const user = await f.issuer.token({ roles: ["support"], scope: "orders:read" });
  const noRoles = await f.issuer.token({});

  const allowed = await send("/admin", { authorization: `Bearer ${admin}` });
  expect(allowed.status).toBe(200);
  expect(JSON.parse(allowed.body)).toEqual({ sub: "user_1" });

  for (const token of [user, noRoles]) {
    const refused = await send("/admin", { authorization: `Bearer ${token}` });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("www-authenticate")).toBe(
      'Bearer error="insufficient_scope", error_description="The token lacks a required role"',
    );
    expect(JSON.parse(refused.body)).toEqual({
      error: "insufficient_scope",
      message: "The token lacks a required role",
    });
  }

  for (const path of ["/admin", "/orders"]) {
    const anonymous = await send(path);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe("Bearer");
  }
}
