import type { AuditEvent, AuditFilter } from "@tessera/core";
import type { Db } from "./db.js";
import { type AuditRow, limitOf, toAudit } from "./rows.js";

export async function appendAudit(db: Db, event: AuditEvent): Promise<void> {
  await db.query(
    `INSERT INTO tessera_audit (at, type, outcome, user_id, session_id, ip, user_agent, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      event.at,
      event.type,
      event.outcome,
      event.userId,
      event.sessionId,
      event.ip,
      event.userAgent,
      JSON.stringify(event.data),
    ],
  );
}

/** Oldest first, so that `afterId` can follow the log; `since` and `until` are inclusive. */
export async function listAudit(db: Db, filter: AuditFilter): Promise<AuditEvent[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (condition: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    where.push(condition(`$${params.length}`));
  };
  if (filter.userId !== undefined) add((p) => `user_id = ${p}`, filter.userId);
  if (filter.type !== undefined) add((p) => `type = ${p}`, filter.type);
  if (filter.since !== undefined) add((p) => `at >= ${p}`, filter.since);
  if (filter.until !== undefined) add((p) => `at <= ${p}`, filter.until);
  if (filter.afterId !== undefined) add((p) => `id > ${p}`, filter.afterId);
  params.push(limitOf(filter.limit, 1000));
  const rows = await db.query<AuditRow>(
    `SELECT id, at, type, outcome, user_id, session_id, ip, user_agent, data FROM tessera_audit
     ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY id LIMIT $${params.length}`,
    params,
  );
  return rows.map(toAudit);
}
