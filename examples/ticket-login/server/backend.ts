import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { sdkFromSource } from "../../spa/server/page-bundle.js";

/** Where the backend finds Tessera, and its admin credential (`TESSERA_ADMIN_SECRETS`). */
export interface TesseraAdmin {
  url: string;
  id: string;
  secret: string;
}

/** A running example backend. */
export interface Backend {
  url: string;
  /** Set once Tessera is up (its allowed origins name this backend, so it starts first). */
  tessera: TesseraAdmin | null;
  close(): Promise<void>;
}

const HERE = fileURLToPath(new URL("..", import.meta.url));

const html = (body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>Ticket login</title></head><body>${body}</body></html>`;

/**
 * The application's own backend with its own login — here a fake magic link: `POST /magic-link`
 * "e-mails" a link (shown on the page: a fake inbox), `GET /magic/callback?token=` checks the
 * backend's own token, finds or creates the Tessera user through the admin API, asks Tessera for a
 * login ticket, and redirects to `/app#ticket=…`, where `@tessera/client` redeems it.
 *
 * @example
 * const backend = await startBackend();
 * backend.tessera = { url: auth.url, id: "backend", secret };
 */
export async function startBackend(options: { onTicket?: (ticket: string) => void } = {}): Promise<Backend> {
  const bundle = await build({
    entryPoints: [join(HERE, "src/page.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
    plugins: [sdkFromSource],
  });
  const pageJs = bundle.outputFiles[0]?.text ?? "";
  /** The backend's own magic-link tokens: e-mail by token, single use. */
  const magic = new Map<string, string>();

  const backend: Backend = { url: "", tessera: null, close: async () => {} };

  async function admin(method: string, path: string, body?: unknown) {
    const tessera = backend.tessera;
    if (!tessera) throw new Error("Tessera is not configured");
    const res = await fetch(`${tessera.url}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${tessera.id}:${tessera.secret}`).toString("base64")}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** The Tessera user for an e-mail, created without a password (they only ever log in by ticket). */
  async function tesseraUserId(email: string): Promise<string> {
    const found = await admin("GET", `/admin/users?email=${encodeURIComponent(email)}`);
    const [user] = found.body.users as Array<{ id: string }>;
    if (user) return user.id;
    const created = await admin("POST", "/admin/users", { email });
    return (created.body.user as { id: string }).id;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", backend.url);
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers }).end(body);
    };
    if (req.method === "GET" && url.pathname === "/") {
      return send(
        200,
        "text/html; charset=utf-8",
        html(`<form method="post" action="/magic-link"><input name="email" type="email">
          <button>Send me a sign-in link</button></form>`),
      );
    }
    if (req.method === "POST" && url.pathname === "/magic-link") {
      let raw = "";
      for await (const chunk of req) raw += chunk;
      const email = new URLSearchParams(raw).get("email") ?? "";
      const token = randomBytes(24).toString("base64url");
      magic.set(token, email);
      // A real backend e-mails this link; the example shows it as a fake inbox.
      return send(
        200,
        "text/html; charset=utf-8",
        html(`<a id="inbox-link" href="/magic/callback?token=${token}">Sign in</a>`),
      );
    }
    if (req.method === "GET" && url.pathname === "/magic/callback") {
      const token = url.searchParams.get("token") ?? "";
      const email = magic.get(token);
      magic.delete(token);
      if (email === undefined) return send(401, "text/plain", "unknown or used link");
      const issued = await admin("POST", "/admin/login-tickets", { user_id: await tesseraUserId(email) });
      const ticket = issued.body.ticket as string;
      options.onTicket?.(ticket);
      // In the fragment: never in a query string.
      return send(302, "text/plain", "", { location: `/app#ticket=${encodeURIComponent(ticket)}` });
    }
    if (req.method === "GET" && url.pathname === "/app") {
      const config = JSON.stringify({ authUrl: backend.tessera?.url }).replace(/</g, "\\u003c");
      return send(
        200,
        "text/html; charset=utf-8",
        html(`<p id="status">Signing in…</p><pre id="me"></pre>
          <script id="config" type="application/json">${config}</script><script type="module" src="/app.js"></script>`),
      );
    }
    if (req.method === "GET" && url.pathname === "/app.js") return send(200, "text/javascript", pageJs);
    send(404, "text/plain", "not found");
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  backend.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  backend.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return backend;
}
