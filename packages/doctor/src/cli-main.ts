import { Command, CommanderError, InvalidArgumentError } from "commander";
import { DoctorError } from "./errors.js";
import { formatReport } from "./format.js";
import { Redactor } from "./lib/redact.js";
import { createProgress, type ProgressStream } from "./progress.js";
import { runDoctor } from "./run.js";
import type { DoctorOptions } from "./types.js";

/** The streams and environment the CLI runs with (injectable for tests). */
export interface CliIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  env: Record<string, string | undefined>;
  fetch?: typeof globalThis.fetch;
}

interface Flags {
  email?: string;
  password?: string;
  origin?: string;
  json?: boolean;
  register: boolean;
  rateLimitAttempts?: number;
  timeout?: number;
}

function integer(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a whole number");
  return Number(value);
}

/**
 * Runs `tessera-doctor <base-url> …` and returns the exit code: 0 all good, 1 something failed,
 * 2 unusable arguments, 3 an internal error.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command("tessera-doctor")
    .description(
      "Check a running Tessera deployment from outside: transport, keys, tokens, cookies, CSRF, CORS, rate limits.",
    )
    .argument("<base-url>", "the auth server's public base URL, e.g. https://auth.example.com")
    .option(
      "--email <email>",
      "a test account (otherwise a throwaway account is registered when registration is open)",
    )
    .option("--password <password>", "its password (or set TESSERA_DOCTOR_PASSWORD, which stays out of `ps`)")
    .option("--origin <origin>", "a front-end origin that should get credentialed CORS")
    .option("--json", "print the report as JSON")
    .option("--no-register", "never register a throwaway account")
    .option("--rate-limit-attempts <n>", "failed logins to spend finding the rate limit (0 skips)", integer)
    .option("--timeout <ms>", "per-request timeout", integer)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  try {
    program.parse(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const flags = program.opts<Flags>();
  const baseUrl = program.args[0] ?? "";
  const password = flags.password ?? (flags.email === undefined ? undefined : io.env.TESSERA_DOCTOR_PASSWORD);
  const progress = createProgress(io.stderr);
  const options: DoctorOptions = {
    baseUrl,
    register: flags.register,
    onProgress: progress.onProgress,
    ...(flags.email === undefined ? {} : { email: flags.email }),
    ...(password === undefined ? {} : { password }),
    ...(flags.origin === undefined ? {} : { origin: flags.origin }),
    ...(flags.rateLimitAttempts === undefined ? {} : { rateLimitAttempts: flags.rateLimitAttempts }),
    ...(flags.timeout === undefined ? {} : { timeoutMs: flags.timeout }),
    ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
  };
  try {
    const report = await runDoctor(options);
    progress.stop();
    const color = io.stdout.isTTY === true && io.env.NO_COLOR === undefined;
    io.stdout.write(
      `${flags.json === true ? JSON.stringify(report, null, 2) : formatReport(report, { color })}\n`,
    );
    return report.ok ? 0 : 1;
  } catch (error) {
    progress.stop();
    if (error instanceof DoctorError) {
      io.stderr.write(`tessera-doctor: ${error.message} (${error.code})\n`);
      return 2;
    }
    // A bug, not a finding: say so without echoing anything secret the message might hold.
    const redact = new Redactor();
    redact.add(password);
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    io.stderr.write(`tessera-doctor: unexpected error: ${redact.scrub(message)}\n`);
    return 3;
  }
}
