import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  APP_ORIGIN,
  SESSION_PASSWORD,
  type SessionApp,
  setSessionValue,
  startSessionApp,
} from "../test-support/session-app.js";
import { expressSessionAuth } from "./express.js";
import { requireRole, requireSession } from "./guards.js";

let s: SessionApp;
let base: string;
let server: ReturnType<ReturnType<typeof express>["listen"]>;
let writes = 0;

beforeAll(async () => {
  s = await startSessionApp(); // core, store and users; the Express app is its own
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(expressSessionAuth({ tessera: s.tessera, origins: [APP_ORIGIN] }));
  app.get("/", (req, res) => {
    res.json({ session: req.session, user: req.user });
  });
  app.get("/account", requireSession(), (req, res) => {
    res.json({ email: req.user?.email });
  });
  app.get("/admin", requireRole("admin"), (_req, res) => {
    res.json({ admin: true });
  });
  app.post("/notes", (_req, res) => {
    writes++;
    res.json({ ok: true });
  });
  await new Promise<void>((resolve) => {
    server = app.listen(0, "127.0.0.1", () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await s.close();
});

const FORM = { "content-type": "application/x-www-form-urlencoded", origin: APP_ORIGIN };
const call = (path: string, init: RequestInit & { cookie?: string } = {}) =>
  fetch(base + path, {
    redirect: "manual",
    ...init,
    headers: {
      ...(init.cookie ? { cookie: `__Host-tessera_session=${init.cookie}` } : {}),
      ...(init.headers as Record<string, string>),
    },
  });
const login = (email: string, headers: Record<string, string> = FORM) =>
  call("/login", {
    method: "POST",
    headers,
    body: new URLSearchParams({ email, password: SESSION_PASSWORD }).toString(),
  });

describe("expressSessionAuth", () => {
  it("behaves as the Fastify plugin: form login, req.session/req.user, CSRF, guards, logout", async () => {
    const forged = await login("admin@example.com", { ...FORM, origin: "https://evil.example" });
    expect(forged.status).toBe(403);
    expect(await forged.json()).toEqual({
      error: "csrf_failed",
      message: "The CSRF token is missing or wrong.",
    });
    expect(await s.tessera.adminListSessions("admin@example.com")).toEqual([]);

    const ok = await login("admin@example.com");
    expect(ok.status).toBe(303);
    const cookie = setSessionValue(ok.headers.getSetCookie()) ?? "";
    expect(ok.headers.getSetCookie()).toEqual([
      `__Host-tessera_session=${cookie}; Path=/; HttpOnly; Secure; SameSite=Lax`,
    ]);
    const me = (await (await call("/", { cookie })).json()) as {
      session: { csrfToken: string };
      user: { roles: string[] };
    };
    expect(me.user.roles).toEqual(["admin"]);

    const note = (body: Record<string, string>) =>
      call("/notes", { method: "POST", cookie, headers: FORM, body: new URLSearchParams(body).toString() });
    expect((await note({ text: "x" })).status).toBe(403);
    expect(writes).toBe(0);
    expect((await note({ text: "x", _csrf: me.session.csrfToken })).status).toBe(200);
    expect(writes).toBe(1);

    expect((await call("/account")).status).toBe(401);
    expect((await call("/account", { headers: { accept: "text/html" } })).headers.get("location")).toBe(
      "/login?next=%2Faccount",
    );
    expect((await call("/admin", { cookie })).status).toBe(200);
    const user = setSessionValue((await login("user@example.com")).headers.getSetCookie()) ?? "";
    expect((await call("/admin", { cookie: user })).status).toBe(403);

    const out = await call("/logout", {
      method: "POST",
      cookie,
      headers: FORM,
      body: new URLSearchParams({ _csrf: me.session.csrfToken }).toString(),
    });
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie()[0]).toContain("Max-Age=0");
    expect(await (await call("/", { cookie })).json()).toEqual({ session: null, user: null });
  });

  it("reads JSON login bodies itself when no parser ran", async () => {
    const res = await call("/login", {
      method: "POST",
      headers: { "content-type": "application/json", origin: APP_ORIGIN },
      body: JSON.stringify({ email: "user@example.com", password: SESSION_PASSWORD }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { email: string } }).user.email).toBe("user@example.com");
  });
});
