import { fileURLToPath } from "node:url";
import { AUDIENCE, ISSUER } from "./seed.js";
import { freePort, startServer } from "./server-process.js";

const CLI = fileURLToPath(new URL("../../packages/server/dist/cli.js", import.meta.url));
const BASELINE = fileURLToPath(new URL("./baseline-server.js", import.meta.url));

/**
 * Starts the auth server the way users run it — `tessera serve` from the built package — in its
 * own process. Settings are the defaults except:
 * - rate limits off (`TESSERA_RATE_LIMIT_IP=off`, `TESSERA_RATE_LIMIT_LOGIN=off`): every request
 *   comes from 127.0.0.1, and the per-IP limit of 300/min would answer 429 to nearly all of them;
 * - request logging at the default level `info`, to /dev/null (the serialisation is paid, the
 *   terminal is not).
 *
 * @example
 * const server = await startTessera({ databaseUrl: "sqlite:/tmp/t.db", masterKeyHex, cpus: "0" });
 *
 * `workers` > 1 runs `tessera serve --workers N` (a cluster primary and N workers on one port).
 *
 * @param {{ databaseUrl: string, masterKeyHex: string, cpus?: string, nodeFlags?: string[], logLevel?: string, workers?: number, env?: Record<string, string>, cli?: string }} options
 *   `cli`: another build of the server's cli.js (bench/ab-refresh.js runs two builds side by side)
 */
export async function startTessera(options) {
  const port = await freePort();
  return startServer({
    args: [options.cli ?? CLI, "serve"],
    env: {
      PORT: String(port),
      HOST: "127.0.0.1",
      TESSERA_DATABASE_URL: options.databaseUrl,
      TESSERA_MASTER_KEY: options.masterKeyHex,
      TESSERA_ISSUER: ISSUER,
      TESSERA_AUDIENCE: AUDIENCE,
      TESSERA_RATE_LIMIT_IP: "off",
      TESSERA_RATE_LIMIT_LOGIN: "off",
      TESSERA_LOG_LEVEL: options.logLevel ?? "info",
      ...options.env,
      ...(options.workers !== undefined ? { TESSERA_WORKERS: String(options.workers) } : {}),
    },
    port,
    readyPath: "/healthz",
    ...(options.cpus !== undefined ? { cpus: options.cpus } : {}),
    ...(options.nodeFlags ? { nodeFlags: options.nodeFlags } : {}),
  });
}

/**
 * Starts the baseline (a bare Fastify route) in its own process.
 *
 * @example
 * const server = await startBaseline({ cpus: "0" });
 *
 * @param {{ cpus?: string }} options
 */
export async function startBaseline(options) {
  const port = await freePort();
  return startServer({
    args: [BASELINE],
    env: { PORT: String(port) },
    port,
    readyPath: "/",
    ...(options.cpus !== undefined ? { cpus: options.cpus } : {}),
  });
}
