import { startTestPostgres, type TestPostgres } from "@tessera/store-postgres/testing";
import { afterAll, beforeAll } from "vitest";
import { type Instance, startInstances } from "./spawn-instance.js";
import { MASTER_KEY_HEX } from "./test-server.js";

/** A throwaway Redis as the cluster starts and stops it (`startTestRedis`, `startRestartableRedis`). */
interface ThrowawayRedis {
  url: string;
  stop(): Promise<void>;
}

export interface ClusterOptions<R extends ThrowawayRedis> {
  /** How many `tessera serve` processes share the database. */
  instances: number;
  /**
   * Their configuration beside `TESSERA_DATABASE_URL`, `TESSERA_REDIS_URL` and
   * `TESSERA_MASTER_KEY`, which the cluster sets; a function when it needs something an earlier
   * `beforeAll` started (read when the instances start).
   */
  env: Record<string, string> | (() => Record<string, string>);
  /** Starts the Redis the instances share (e.g. `startTestRedis`); none without it. */
  redis?: () => Promise<R>;
  /** PostgreSQL acknowledges a commit only once its WAL is written (for tests that kill it). */
  durableCommits?: boolean;
}

/** The cluster of a `describe`, filled in by its `beforeAll`. */
export interface Cluster<R> {
  pg: TestPostgres;
  /** Only with `options.redis`. */
  redis: R;
  /** The one fresh database every instance uses. */
  databaseUrl: string;
  instances: Instance[];
  /** `instances[i].url` */
  urls: string[];
  /** The instances' whole configuration, to start one more like them (`spawnInstance(cluster.env)`). */
  env: Record<string, string>;
}

/**
 * Several instances of `tessera serve` on one throwaway PostgreSQL database (and one Redis when
 * asked), started in a `beforeAll` of the calling `describe` (migrated from every instance at once,
 * as a deploy would) and stopped in its `afterAll`: instances first, then Redis, then PostgreSQL.
 * Hooks run in order, so a `beforeAll` registered after this one sees the cluster running, and an
 * `afterAll` registered after it runs before the cluster stops.
 *
 * @example
 * const cluster = useCluster({ instances: 2, redis: startTestRedis, env: { TESSERA_TRUST_PROXY: "loopback" } });
 * it("…", async () => {
 *   await callInstance(cluster.urls[0] as string, "GET", "/readyz");
 * });
 */
export function useCluster<R extends ThrowawayRedis = never>(options: ClusterOptions<R>): Cluster<R> {
  const cluster = { instances: [], urls: [] } as unknown as Cluster<R>;
  beforeAll(async () => {
    [cluster.pg, cluster.redis] = await Promise.all([
      startTestPostgres({ durableCommits: options.durableCommits ?? false }),
      options.redis?.() as Promise<R>,
    ]);
    cluster.databaseUrl = await cluster.pg.createDatabase();
    cluster.env = {
      ...(typeof options.env === "function" ? options.env() : options.env),
      TESSERA_DATABASE_URL: cluster.databaseUrl,
      ...(cluster.redis ? { TESSERA_REDIS_URL: cluster.redis.url } : {}),
      TESSERA_MASTER_KEY: MASTER_KEY_HEX,
    };
    cluster.instances = await startInstances(options.instances, cluster.env);
    cluster.urls = cluster.instances.map((instance) => instance.url);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(cluster.instances.map((instance) => instance.stop()));
    await cluster.redis?.stop();
    await cluster.pg?.stop();
  });
  return cluster;
}
