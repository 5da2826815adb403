export { inspectSqliteFile, type SqliteInspection } from "./inspect.js";
