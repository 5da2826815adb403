import { runDoctorCli } from "@tessera/doctor";
import { Command } from "commander";
import { loadConfig } from "../config/load-config.js";
import type { Environment } from "../config/secrets.js";
import { openStore } from "../open-store.js";
import { addAccessCommands } from "./access-commands.js";
import { addAdminCommands } from "./admin-commands.js";
import type { CliIo } from "./io.js";
import { serve } from "./serve.js";

/**
 * The `tessera` command line: `serve`, `migrate`, `users`, `sessions`, `keys`, `audit`, `doctor`.
 *
 * @example
 * await buildProgram(process.env, processIo).parseAsync(process.argv);
 */
export function buildProgram(env: Environment, io: CliIo): Command {
  const program = new Command("tessera")
    .description("Tessera authentication token service")
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command("serve")
    .description("apply pending migrations and start the auth server")
    .option(
      "--workers <count>",
      "processes serving the port: a number or auto (one per CPU); overrides TESSERA_WORKERS",
    )
    .action(async (options: { workers?: string }) => {
      await serve(options.workers === undefined ? env : { ...env, TESSERA_WORKERS: options.workers }, io);
    });

  program
    .command("migrate")
    .description("apply pending database migrations and exit (safe from several instances at once)")
    .action(async () => {
      const store = openStore(loadConfig(env).database);
      try {
        await store.migrate();
        io.out("migrations applied");
      } finally {
        await store.close();
      }
    });

  program
    .command("doctor")
    .description(
      "check a running deployment from outside: doctor <base-url> [--email … --password …] [--origin …] [--json]",
    )
    // Every argument and option belongs to @tessera/doctor's own parser (`tessera doctor --help`).
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument("[args...]")
    .action(async (args: string[]) => {
      process.exitCode = await runDoctorCli(args, { stdout: process.stdout, stderr: process.stderr, env });
    });

  addAdminCommands(program, env, io);
  addAccessCommands(program, env, io);
  return program;
}
