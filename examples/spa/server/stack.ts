import { randomBytes } from "node:crypto";
import type { PasswordHasher } from "@tessera/core";
import type { BuildServerOptions } from "@tessera/server";
import { createVerifier, type HttpRevocationSource, httpRevocationSource } from "@tessera/verify";
import type { FastifyInstance } from "fastify";
import { startAuthServer } from "./auth-server.js";
import { createDemoApi, listenHono } from "./demo-api.js";
import { buildPageBundle } from "./page-bundle.js";
import { startPageServer } from "./page-server.js";
import { EXAMPLE_ROOT } from "./paths.js";

/** Options of {@link startDemoStack}. */
export interface DemoStackOptions {
  /** Every server binds here. Default `127.0.0.1`; use one hostname for all, cookies are per host. */
  host?: string;
  /** 0 (the default) picks free ports. */
  ports?: { auth?: number; api?: number; page?: number };
  /** Auth-server environment (`TESSERA_*`). The stack sets port, issuer, allowed origin and the API's credential. */
  env?: Record<string, string | undefined>;
  /** Tests pass a cheap hasher; the default is the server's argon2id. */
  passwordHasher?: PasswordHasher;
  logger?: BuildServerOptions["logger"];
  /** The API verifier's `clockTolerance` in seconds (default 5). */
  apiClockTolerance?: number;
  /** How often the API polls the revocation feed, in ms (default 2000). */
  revocationPollMs?: number;
  /** Called with the auth server before it listens (add hooks here). */
  beforeListen?: (auth: FastifyInstance) => void;
}

/** The three running servers; see {@link startDemoStack}. */
export interface DemoStack {
  pageUrl: string;
  authUrl: string;
  apiUrl: string;
  auth: FastifyInstance;
  /** The demo API's revocation source; `refresh()` polls the feed now. */
  revocation: HttpRevocationSource;
  /**
   * Add or remove roles of a user, as `tessera users roles <email> --add/--remove` does. A removal
   * refuses the user's earlier access tokens (the API sees it at its next feed poll); the session
   * lives on and its next refresh carries the new roles.
   */
  setRoles(email: string, change: { add?: string[]; remove?: string[] }): Promise<void>;
  close(): Promise<void>;
}

const API_CLIENT_ID = "demo-api";

/**
 * Starts the whole demo on one host: the page server (its origin is the auth server's allowed
 * origin), the Tessera auth server (in-memory SQLite unless `TESSERA_DATABASE_URL` says
 * otherwise), and the demo API verifying tokens against the auth server's JWKS and revocation feed.
 *
 * @example
 * const stack = await startDemoStack({ ports: { auth: 3000, api: 4000, page: 5173 } });
 * console.log(`open ${stack.pageUrl}`);
 * await stack.close();
 */
export async function startDemoStack(options: DemoStackOptions = {}): Promise<DemoStack> {
  const host = options.host ?? "127.0.0.1";
  const cleanups: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const page = await startPageServer(await buildPageBundle(), { host, port: options.ports?.page ?? 0 });
    cleanups.push(() => page.close());

    const apiSecret = randomBytes(24).toString("base64url");
    const auth = await startAuthServer({
      host,
      port: options.ports?.auth ?? 0,
      env: {
        // Mail links (password reset, address verification) open this page.
        TESSERA_APP_URL: page.origin,
        ...options.env,
        // What each role grants: examples/spa/roles.json unless the environment names another file.
        TESSERA_ROLES_FILE: options.env?.TESSERA_ROLES_FILE || `${EXAMPLE_ROOT}roles.json`,
        TESSERA_ALLOWED_ORIGINS: page.origin,
        TESSERA_RESOURCE_SECRETS: `${API_CLIENT_ID}:${apiSecret}`,
      },
      ...(options.passwordHasher ? { passwordHasher: options.passwordHasher } : {}),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
      ...(options.beforeListen ? { beforeListen: options.beforeListen } : {}),
    });
    cleanups.push(auth.close);

    const revocation = httpRevocationSource({
      url: `${auth.url}/oauth/revocations`,
      clientId: API_CLIENT_ID,
      clientSecret: apiSecret,
      intervalMs: options.revocationPollMs ?? 2000,
    });
    cleanups.push(async () => revocation.close());
    await revocation.ready;
    const verifier = createVerifier({
      issuer: auth.url,
      audience: auth.audience,
      clockTolerance: options.apiClockTolerance ?? 5,
      revocation,
    });
    const api = await listenHono(createDemoApi({ verifier, pageOrigin: page.origin }), {
      host,
      port: options.ports?.api ?? 0,
    });
    cleanups.push(api.close);

    page.setEndpoints({ authUrl: auth.url, apiUrl: api.url });
    return {
      pageUrl: `${page.origin}/`,
      authUrl: auth.url,
      apiUrl: api.url,
      auth: auth.app,
      revocation,
      async setRoles(email, change) {
        const user = await auth.store.getUserByEmail(email.trim().toLowerCase());
        if (user === null) throw new Error(`no user ${email}`);
        const { add = [], remove = [] } = change;
        await auth.store.changeUserRoles({ userId: user.id, add, remove, maxRoles: 32, now: Date.now() });
      },
      close,
    };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}
