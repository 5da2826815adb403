import { expect } from "vitest";
import { CookieJar } from "./cookie-jar.js";
import { ADMIN_AUTH, STRONG_PASSWORD, type TestServer, uniqueEmail } from "./test-server.js";

/**
 * Helpers for tests of the admin API and ticket login: each goes over real HTTP and asserts the
 * documented success status.
 *
 * @example
 * const admin = adminCalls(server);
 * const user = await admin.createUser();
 */
export function adminCalls(server: TestServer) {
  const call = (method: string, path: string, json?: unknown) =>
    server.call(method, path, { headers: { ...ADMIN_AUTH }, ...(json !== undefined ? { json } : {}) });
  return {
    call,
    /** A user made over the admin API (with `STRONG_PASSWORD` unless `password: null`). */
    async createUser(options: { email?: string; password?: string | null } = {}) {
      const email = options.email ?? uniqueEmail("admin-made");
      const password = options.password === undefined ? STRONG_PASSWORD : options.password;
      const res = await call("POST", "/admin/users", password === null ? { email } : { email, password });
      expect(res.status).toBe(201);
      return res.body.user as {
        id: string;
        email: string;
        roles: string[];
        disabled: boolean;
        email_verified: boolean;
        created_at: string;
      };
    },
    async ticket(userId: string, scope?: string): Promise<string> {
      const res = await call("POST", "/admin/login-tickets", {
        user_id: userId,
        ...(scope ? { scope } : {}),
      });
      expect(res.status).toBe(201);
      expect(res.body.expires_in).toBe(60);
      return res.body.ticket as string;
    },
    /** A password login with a fresh jar. */
    async login(email: string, password = STRONG_PASSWORD) {
      const jar = new CookieJar();
      const res = await server.call("POST", "/auth/login", { json: { email, password }, jar });
      return { res, jar, access: res.body?.access_token as string, csrf: res.body?.csrf_token as string };
    },
    /** A cookie refresh with the session's CSRF token. */
    refresh(jar: CookieJar, csrf: string) {
      return server.call("POST", "/auth/refresh", { jar, headers: { "x-csrf-token": csrf } });
    },
  };
}
