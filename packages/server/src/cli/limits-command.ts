import { createRedisClient } from "@tessera/store-redis";
import type { Command } from "commander";
import { loadConfig } from "../config/load-config.js";
import type { Environment } from "../config/secrets.js";
import type { ServerConfig } from "../config/server-config.js";
import { counterPatterns } from "../http/rate-limits.js";
import { redisWindowCounter } from "../http/window-counter.js";
import type { CliIo } from "./io.js";

/** Thrown for an expected failure: printed as one line, exit status 1. */
export type Fail = (message: string) => Error;

/**
 * `tessera limits reset <email|ip>`: clears the rate-limit counters of an e-mail or IP
 * (`counterPatterns`). With `TESSERA_REDIS_URL` it deletes them in Redis itself; without, they
 * live in the running server's memory, so it asks that server — at `HOST`/`PORT` of the same
 * configuration — with `DELETE /admin/limits/<target>` and the first `TESSERA_ADMIN_SECRETS`
 * credential. Without those, or when no server answers, one line says why and it exits 1.
 *
 * @example
 * addLimitsCommand(program, process.env, processIo, (m) => new CliFailure(m));
 */
export function addLimitsCommand(program: Command, env: Environment, io: CliIo, fail: Fail): void {
  program
    .command("limits")
    .description("rate-limit counters")
    .command("reset <emailOrIp>")
    .description(
      "clear the lock-out of an e-mail (every address) or an IP: in Redis, or else in the running server (TESSERA_ADMIN_SECRETS)",
    )
    .action(async (target: string) => {
      const config = loadConfig(env);
      if (config.redisUrl === null) {
        const cleared = await resetInRunningServer(config, target, fail);
        io.out(
          `cleared ${cleared} rate-limit counters for ${target} (in the server at ${serverOrigin(config)})`,
        );
        return;
      }
      const redis = createRedisClient(config.redisUrl);
      try {
        const cleared = await redisWindowCounter(redis).clear(counterPatterns(target));
        io.out(`cleared ${cleared} rate-limit counters for ${target}`);
      } finally {
        redis.disconnect();
      }
    });
}

/** Where `tessera serve` listens with this configuration, as the CLI on the same machine reaches it. */
function serverOrigin(config: ServerConfig): string {
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  return `${config.tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${config.port}`;
}

async function resetInRunningServer(config: ServerConfig, target: string, fail: Fail): Promise<number> {
  const why = "without TESSERA_REDIS_URL the counters live in the running server's memory";
  const credential = config.adminSecrets[0];
  if (credential === undefined) {
    throw fail(`limits reset: ${why}; set TESSERA_ADMIN_SECRETS (as for the server) so that it can be asked`);
  }
  const origin = serverOrigin(config);
  const basic = Buffer.from(`${encodeURIComponent(credential.id)}:${encodeURIComponent(credential.secret)}`);
  let res: Response;
  try {
    res = await fetch(`${origin}/admin/limits/${encodeURIComponent(target)}`, {
      method: "DELETE",
      headers: { authorization: `Basic ${basic.toString("base64")}` },
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw fail(`limits reset: ${why}, and no server answers at ${origin} (HOST/PORT as for tessera serve)`);
  }
  const body = (await res.json().catch(() => ({}))) as { cleared?: unknown; error?: unknown };
  if (res.status !== 200 || typeof body.cleared !== "number") {
    throw fail(
      `limits reset: the server at ${origin} answered ${res.status} ${String(body.error ?? "")}`.trim(),
    );
  }
  return body.cleared;
}
