#!/usr/bin/env node
import { isTesseraError } from "@tessera/core";
import { CliFailure } from "./cli/admin-commands.js";
import { processIo } from "./cli/io.js";
import { buildProgram } from "./cli/program.js";
import { ConfigError } from "./config/config-error.js";

// EX_CONFIG from sysexits.h: supervisors tell "fix the configuration" from a crash.
const EXIT_CONFIG = 78;

try {
  await buildProgram(process.env, processIo).parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) {
    processIo.err(`tessera: invalid configuration: ${error.message}`);
    process.exit(EXIT_CONFIG);
  }
  if (isTesseraError(error, "master_key_mismatch")) {
    processIo.err(
      "tessera: master_key_mismatch: this master key does not open the stored signing keys (were they rewrapped under a new key?)",
    );
    process.exit(1);
  }
  if (error instanceof CliFailure || isTesseraError(error)) {
    // A core error names its code, and what was wrong when the code alone does not say it
    // (e.g. `weak_password: password must be 8–256 characters`).
    const text = isTesseraError(error)
      ? error.message === error.code
        ? error.code
        : `${error.code}: ${error.message}`
      : error.message;
    processIo.err(`tessera: ${text}`);
    process.exit(1);
  }
  processIo.err(`tessera: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
