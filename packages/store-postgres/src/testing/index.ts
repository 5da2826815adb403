export {
  findPostgresBinDir,
  postgresTestsEnabled,
  startTestPostgres,
  type TestPostgres,
} from "./postgres.js";
