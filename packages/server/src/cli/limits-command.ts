import { createRedisClient } from "@tessera/store-redis";
import type { Command } from "commander";
import { loadConfig } from "../config/load-config.js";
import type { Environment } from "../config/secrets.js";
import { accountKey, counterIp } from "../http/rate-limits.js";
import type { CliIo } from "./io.js";

/** The key prefix of the server's Redis window counters (`redisWindowCounter`'s default). */
const PREFIX = "tessera-rl:";

/** Thrown for an expected failure: printed as one line, exit status 1. */
export type Fail = (message: string) => Error;

/**
 * `tessera limits reset <email|ip>`: deletes the rate-limit counters in Redis — for an e-mail, its
 * failed-login counters from every address; for an IP, its request, registration and failed-login
 * counters. Without `TESSERA_REDIS_URL` the counters live in each server process's memory, out of
 * reach of a command: it says so and exits 1.
 *
 * @example
 * addLimitsCommand(program, process.env, processIo, (m) => new CliFailure(m));
 */
export function addLimitsCommand(program: Command, env: Environment, io: CliIo, fail: Fail): void {
  program
    .command("limits")
    .description("rate-limit counters (shared in Redis)")
    .command("reset <emailOrIp>")
    .description("clear the lock-out of an e-mail (every address) or an IP (needs TESSERA_REDIS_URL)")
    .action(async (target: string) => {
      const config = loadConfig(env);
      if (config.redisUrl === null) {
        throw fail(
          "limits reset needs TESSERA_REDIS_URL: without Redis each server counts in its own memory; " +
            "those counters clear when their window ends or the instance restarts",
        );
      }
      const patterns = target.includes("@")
        ? [`${PREFIX}fail:${accountKey(target)}:*`]
        : [
            `${PREFIX}ip:${counterIp(target)}`,
            `${PREFIX}register:${counterIp(target)}`,
            `${PREFIX}fail:*:${counterIp(target)}`,
          ];
      const redis = createRedisClient(config.redisUrl);
      try {
        let cleared = 0;
        for (const pattern of patterns) {
          let cursor = "0";
          do {
            const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
            cursor = next;
            if (keys.length > 0) cleared += await redis.del(...keys);
          } while (cursor !== "0");
        }
        io.out(`cleared ${cleared} rate-limit counters for ${target}`);
      } finally {
        redis.disconnect();
      }
    });
}
