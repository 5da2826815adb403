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
