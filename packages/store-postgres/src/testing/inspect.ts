import pg from "pg";

/** What a fault test checks in a Tessera PostgreSQL database after a crash. */
export interface PostgresInspection {
  /** Sessions holding more than one unused refresh token (a fork of the rotation chain). */
  forkedSessions: string[];
  /** Refresh tokens naming a successor that does not exist (a rotation half written). */
  danglingSuccessors: number;
  /** Sessions in the database. */
  sessions: number;
}

/**
 * Reads the rotation state of a Tessera database.
 *
 * @example
 * const report = await inspectPostgresDatabase(url);
 * expect(report.forkedSessions).toEqual([]);
 */
export async function inspectPostgresDatabase(url: string): Promise<PostgresInspection> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const forked = await client.query<{ session_id: string }>(
      "SELECT session_id FROM tessera_refresh_tokens WHERE used_at IS NULL GROUP BY session_id HAVING COUNT(*) > 1",
    );
    const dangling = await client.query<{ n: string }>(
      `SELECT COUNT(*) AS n FROM tessera_refresh_tokens t
        WHERE t.successor_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM tessera_refresh_tokens s WHERE s.id = t.successor_id)`,
    );
    const sessions = await client.query<{ n: string }>("SELECT COUNT(*) AS n FROM tessera_sessions");
    return {
      forkedSessions: forked.rows.map((row) => row.session_id),
      danglingSuccessors: Number(dangling.rows[0]?.n ?? 0),
      sessions: Number(sessions.rows[0]?.n ?? 0),
    };
  } finally {
    await client.end();
  }
}
