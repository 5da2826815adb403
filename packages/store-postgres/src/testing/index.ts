export { inspectPostgresDatabase, type PostgresInspection } from "./inspect.js";
export {
  findPostgresBinDir,
  postgresTestsEnabled,
  startTestPostgres,
  type TestPostgres,
} from "./postgres.js";
