import { TesseraError } from "@tessera/core";
import pg from "pg";

/**
 * SQLSTATE classes that mean "the database cannot answer right now" rather than "this request is
 * wrong": connection exceptions (08), insufficient resources (53), operator intervention such as
 * shutdown or a cancelled/timed-out statement (57), system errors (58).
 */
const UNAVAILABLE_CLASSES = new Set(["08", "53", "57", "58"]);

/**
 * Translate an error thrown by `pg` into the store contract's errors. Network failures, timeouts
 * and a server that is shutting down become `store_unavailable`; the unique e-mail constraint
 * becomes `email_taken`; anything else (a bug) is rethrown unchanged. The original error is kept
 * as `cause` for logs; messages stay generic.
 */
export function translatePgError(error: unknown): unknown {
  if (error instanceof TesseraError) return error;
  if (error instanceof pg.DatabaseError) {
    const code = error.code ?? "";
    if (code === "23505" && error.constraint === "tessera_users_email_key") {
      return new TesseraError("email_taken", "email_taken", { cause: error });
    }
    if (UNAVAILABLE_CLASSES.has(code.slice(0, 2))) {
      return new TesseraError("store_unavailable", "store_unavailable", { cause: error });
    }
    return error;
  }
  // Everything else `pg` throws is about the connection: ECONNREFUSED/ECONNRESET, "Connection
  // terminated", a connect or read timeout, a pool that was ended. Where the cause is a setting
  // the operator can fix, the message says what was wrong and what to do, in one line.
  return new TesseraError("store_unavailable", hint(error) ?? "store_unavailable", { cause: error });
}

/** One line naming a configuration mistake behind a connection failure, or null. */
function hint(error: unknown): string | null {
  const message = error instanceof Error ? error.message : "";
  if (message.includes("does not support SSL")) {
    return (
      "the PostgreSQL server does not accept TLS but the database URL requires it (sslmode=require): " +
      "enable ssl on the server, or drop sslmode from TESSERA_DATABASE_URL on a trusted network"
    );
  }
  if ((error as { code?: unknown }).code === "ECONNREFUSED") {
    return "nothing accepts connections at the database URL's host and port: start PostgreSQL or fix TESSERA_DATABASE_URL";
  }
  return null;
}
