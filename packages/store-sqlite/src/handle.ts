import type Database from "better-sqlite3";

/**
 * One open connection with its statement cache: every SQL text is compiled once, on first use,
 * and reused for the life of the connection.
 */
export interface SqliteHandle {
  readonly db: Database.Database;
  /** The prepared statement for `source`. */
  sql(source: string): Database.Statement;
  /** `fn` wrapped as one `BEGIN IMMEDIATE` transaction (takes the write lock up front). */
  immediate<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  /** `fn` wrapped as one deferred transaction: its reads see one snapshot. */
  snapshot<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
}

export function createHandle(db: Database.Database): SqliteHandle {
  const cache = new Map<string, Database.Statement>();
  return {
    db,
    sql(source) {
      let statement = cache.get(source);
      if (!statement) {
        statement = db.prepare(source);
        cache.set(source, statement);
      }
      return statement;
    },
    immediate(fn) {
      const transaction = db.transaction(fn);
      return (...args) => transaction.immediate(...args);
    },
    snapshot(fn) {
      const transaction = db.transaction(fn);
      return (...args) => transaction.deferred(...args);
    },
  };
}
