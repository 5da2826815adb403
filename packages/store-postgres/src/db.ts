import pg from "pg";
import { translatePgError } from "./errors.js";

/** Something that runs one SQL statement: the pool (autocommit) or a client inside a transaction. */
export interface Queryable {
  query<R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface PoolOptions {
  /** Most connections this process opens. Default 10. */
  max?: number;
  /** Close connections idle for this long. Default 30 000 ms. */
  idleTimeoutMillis?: number;
  /** Give up connecting (or waiting for a free connection) after this long. Default 5 000 ms. */
  connectionTimeoutMillis?: number;
}

export interface DbOptions {
  connectionString: string;
  pool?: PoolOptions;
  /** Server-side `statement_timeout`; a client-side read timeout a little longer backs it up. */
  statementTimeoutMs?: number;
}

const INT8_OID = 20;

// BIGINT columns hold millisecond times, epochs and cursors, all far below 2^53: parse them to
// numbers for this pool only instead of changing pg's process-wide parsers.
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8_OID && format !== "binary") return (value: string) => Number(value);
    return format === "binary" ? pg.types.getTypeParser(oid, "binary") : pg.types.getTypeParser(oid, "text");
  },
};

/** The pool plus the two ways the store talks to it: one statement, or one transaction. */
export class Db implements Queryable {
  readonly pool: pg.Pool;

  constructor(options: DbOptions) {
    const statementTimeout = options.statementTimeoutMs ?? 10_000;
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.pool?.max ?? 10,
      idleTimeoutMillis: options.pool?.idleTimeoutMillis ?? 30_000,
      connectionTimeoutMillis: options.pool?.connectionTimeoutMillis ?? 5_000,
      statement_timeout: statementTimeout,
      // Backstop for a server that stops answering without closing the socket (a partition).
      query_timeout: statementTimeout + 5_000,
      keepAlive: true,
      application_name: "tessera",
      types: types as pg.CustomTypesConfig,
    });
    // A server restart kills idle connections; pg reports that as an 'error' event, which
    // would crash the process without a listener. The pool drops the dead client by itself.
    this.pool.on("error", () => {});
    this.pool.on("connect", (client) => {
      client.on("error", () => {});
    });
  }

  async query<R extends object>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    try {
      const result = await this.pool.query<R>(sql, params as unknown[]);
      return result.rows;
    } catch (error) {
      throw translatePgError(error);
    }
  }

  /**
   * Run `work` in one READ COMMITTED transaction on one connection: committed when it resolves,
   * rolled back when it throws. A connection that failed mid-transaction is discarded.
   */
  async transaction<T>(
    work: (tx: Queryable) => Promise<T>,
    options: { unbounded?: boolean } = {},
  ): Promise<T> {
    // pg cannot switch its read timeout off per query; a day stands in for "none".
    const queryTimeout = options.unbounded === true ? 86_400_000 : undefined;
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw translatePgError(error);
    }
    const tx: Queryable = {
      async query<R extends object>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
        try {
          // pg reads `query_timeout` from the query config; its types do not declare it.
          const config: pg.QueryConfig & { query_timeout?: number } = {
            text: sql,
            values: params as unknown[],
          };
          if (queryTimeout !== undefined) config.query_timeout = queryTimeout;
          const result = await client.query<R>(config);
          return result.rows;
        } catch (error) {
          throw translatePgError(error);
        }
      },
    };
    let broken = false;
    try {
      await tx.query("BEGIN");
      const value = await work(tx);
      await tx.query("COMMIT");
      return value;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch {
        broken = true;
      }
      throw error;
    } finally {
      // release(true) destroys the connection instead of returning it in an unknown state.
      client.release(broken);
    }
  }

  #closed = false;

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end();
  }
}
