export { type CliIo as DoctorCliIo, runCli as runDoctorCli } from "./cli-main.js";
export { DoctorError } from "./errors.js";
export { type FormatOptions, formatReport } from "./format.js";
export { runDoctor } from "./run.js";
export type {
  AccountUse,
  CheckResult,
  CheckStatus,
  DoctorOptions,
  DoctorReport,
  ProgressEvent,
} from "./types.js";
