import { createServer } from "node:net";
import type { PasswordHasher, Store } from "@tessera/core";
import { type BuildServerOptions, buildServer, loadConfig, openStore } from "@tessera/server";
import type { FastifyInstance } from "fastify";

/** A listening Tessera auth server; see {@link startAuthServer}. */
export interface RunningAuthServer {
  app: FastifyInstance;
  /** `http://<host>:<port>`, which is also the issuer. */
  url: string;
  audience: string | string[];
  /** The server's store (the demo assigns roles through it, as `tessera users roles` would). */
  store: Store;
  close(): Promise<void>;
}

/** Options of {@link startAuthServer}. */
export interface AuthServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** `TESSERA_*` variables; `PORT`, `HOST` and `TESSERA_ISSUER` are set here. */
  env: Record<string, string | undefined>;
  passwordHasher?: PasswordHasher;
  logger?: BuildServerOptions["logger"];
  beforeListen?: (app: FastifyInstance) => void;
}

const DEFAULT_ENV = { TESSERA_DATABASE_URL: "sqlite::memory:", TESSERA_LOG_LEVEL: "warn" };

/**
 * Starts the auth server with `buildServer` over a store it migrates. The issuer must be the URL
 * the server is reached at, which contains the port; with port 0 a free port is looked up first
 * and, should another process take it in between, the start is retried on a new one.
 *
 * @example
 * const auth = await startAuthServer({ host: "127.0.0.1", port: 3000, env: process.env });
 */
export async function startAuthServer(options: AuthServerOptions): Promise<RunningAuthServer> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port === 0 ? await freePort(options.host) : options.port;
    try {
      return await startOn(port, options);
    } catch (error) {
      const taken = (error as NodeJS.ErrnoException).code === "EADDRINUSE";
      if (!taken || options.port !== 0 || attempt === 3) throw error;
    }
  }
}

async function startOn(port: number, options: AuthServerOptions): Promise<RunningAuthServer> {
  const url = `http://${options.host}:${port}`;
  const config = loadConfig({
    ...DEFAULT_ENV,
    ...options.env,
    HOST: options.host,
    PORT: String(port),
    TESSERA_ISSUER: url,
  });
  const store = openStore(config.database);
  let app: FastifyInstance | undefined;
  try {
    await store.migrate();
    app = await buildServer({
      config,
      store,
      ...(options.passwordHasher ? { passwordHasher: options.passwordHasher } : {}),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
    });
    options.beforeListen?.(app);
    await app.listen({ host: options.host, port });
  } catch (error) {
    await app?.close();
    await store.close();
    throw error;
  }
  const running = app;
  return {
    app: running,
    url,
    audience: config.audience,
    store,
    close: async () => {
      await running.close();
      await store.close();
    },
  };
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() => {
        if (address === null || typeof address === "string") reject(new Error("no TCP address"));
        else resolve(address.port);
      });
    });
  });
}
