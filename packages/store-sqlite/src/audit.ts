import type { AuditEvent, AuditFilter } from "@tessera/core";
import type { SqliteHandle } from "./handle.js";
import { AUDIT_COLUMNS, type AuditRow, auditFromRow, auditToParams, INSERT_AUDIT, limitOf } from "./rows.js";

/**
 * The SELECT for the filters present. Clauses come in a fixed order, so each combination is one
 * SQL text and one cached statement, and each can use the index that fits it.
 */
function auditQuery(filter: AuditFilter): string {
  const where: string[] = [];
  if (filter.userId !== undefined) where.push("user_id = @userId");
  if (filter.type !== undefined) where.push("type = @type");
  if (filter.since !== undefined) where.push("at >= @since");
  if (filter.until !== undefined) where.push("at <= @until");
  if (filter.afterId !== undefined) where.push("id > @afterId");
  const clause = where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`;
  return `SELECT ${AUDIT_COLUMNS} FROM audit_events ${clause} ORDER BY id LIMIT @limit`;
}

/** Append-only audit log with filtered, oldest-first listing. */
export function auditOperations(h: SqliteHandle) {
  return {
    appendAudit(event: AuditEvent): void {
      h.sql(INSERT_AUDIT).run(auditToParams(event));
    },

    /** Oldest first (ascending id), so `afterId` follows the log. `since`/`until` are inclusive. */
    listAudit(filter: AuditFilter): AuditEvent[] {
      const rows = h.sql(auditQuery(filter)).all({
        userId: filter.userId,
        type: filter.type,
        since: filter.since,
        until: filter.until,
        afterId: filter.afterId,
        limit: limitOf(filter.limit, 1000),
      }) as AuditRow[];
      return rows.map(auditFromRow);
    },
  };
}
