import { describe, expect, it } from "vitest";
import { type Connection, Database } from "./driver.js";
import { applyMigrations, migrations } from "./migrations.js";
import { SERVER_SESSION_CHECK } from "./server-sessions.js";

function migrated(steps = migrations): Connection {
  const db = new Database(":memory:");
  applyMigrations(db, steps);
  return db;
}

describe("the server-session check", () => {
  it("reads two covering indexes and no table row", () => {
    const db = migrated();
    const rows = db.prepare(`EXPLAIN QUERY PLAN ${SERVER_SESSION_CHECK}`).all("x") as Array<{
      detail: string;
    }>;
    const plan = rows.map((row) => row.detail);
    expect(plan).toEqual([
      "SEARCH s USING COVERING INDEX server_session_check (id=?)",
      "SEARCH u USING COVERING INDEX user_session_check (id=?)",
    ]);
    db.close();
  });

  it("fails when its statement is prepared, not silently slower, without the indexes of migration 10", () => {
    const db = migrated(migrations.filter((step) => step.version !== 10));
    expect(() => db.prepare(SERVER_SESSION_CHECK)).toThrow(/no such index: server_session_check/);
    db.close();
  });
});
