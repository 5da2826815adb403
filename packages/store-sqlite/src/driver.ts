import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";

/**
 * The better-sqlite3 build for this Node. Releases up to 12 subclass Node's raw `ObjectWrap`,
 * whose destructor on Node 24 asserts that an Environment is current: a statement collected at
 * teardown (or in a worker thread such as the checkpointer) aborts the process with
 * `Assertion failed: (env) != nullptr`. Release 13 is built on Node-API and does not, but needs
 * Node 22 (it crashes on Node 20). So Node ≥ 22 loads `better-sqlite3` (13) and Node 20 the
 * optional dependency `better-sqlite3-node20` (an npm alias of 12): one API, two builds.
 */
const NODE_MAJOR = Number(process.versions.node.split(".")[0]);

/** The module name the store loads on this Node. */
export const DRIVER_MODULE = NODE_MAJOR >= 22 ? "better-sqlite3" : "better-sqlite3-node20";

const require = createRequire(import.meta.url);

function resolveDriver(): string {
  try {
    return require.resolve(DRIVER_MODULE);
  } catch (cause) {
    throw new Error(
      `the SQLite driver "${DRIVER_MODULE}" for Node ${process.versions.node} is not installed (run npm install)`,
      { cause },
    );
  }
}

/** The driver's entry file: a worker thread loads the same build by this path. */
export const DRIVER_PATH = resolveDriver();

/** The driver's `Database` class (constructor and namespace: `SqliteError` and the types). */
export const Database = require(DRIVER_PATH) as typeof BetterSqlite3;

/** An open connection. */
export type Connection = BetterSqlite3.Database;
