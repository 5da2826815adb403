import type { Command } from "commander";
import type { Environment } from "../config/secrets.js";
import { CliFailure } from "./admin-commands.js";
import { withAdmin } from "./admin-context.js";
import type { CliIo } from "./io.js";

/**
 * Adds `users disable|enable <user>` (to the existing `users` command) and `tickets create <user>`,
 * the CLI side of the admin API. `<user>` is an id or an e-mail address.
 *
 * @example
 * addAccessCommands(program, process.env, processIo);
 */
export function addAccessCommands(program: Command, env: Environment, io: CliIo): void {
  const users = program.commands.find((command) => command.name() === "users");
  if (!users) throw new Error("addAccessCommands: add the users command first");
  users
    .command("disable <user>")
    .description("disable a user: every session revoked, every access token refused, no login until enabled")
    .action(async (user: string) =>
      withAdmin(env, io.err, async ({ tessera }) => {
        if (!(await tessera.adminSetDisabled(user, true))) throw new CliFailure("no such user");
        io.out("disabled");
      }),
    );
  users
    .command("enable <user>")
    .description("enable a disabled user (sessions revoked by disabling stay revoked)")
    .action(async (user: string) =>
      withAdmin(env, io.err, async ({ tessera }) => {
        if (!(await tessera.adminSetDisabled(user, false))) throw new CliFailure("no such user");
        io.out("enabled");
      }),
    );

  const tickets = program.command("tickets").description("single-use login tickets");
  tickets
    .command("create <user>")
    .description(
      "print a login ticket for the user (single use, valid 60 s; redeem at POST /auth/login/ticket)",
    )
    .option("--scope <scope>", "the scope the session asks for")
    .option("--json", "print JSON {ticket, expires_in}")
    .action(async (user: string, opts: { scope?: string; json?: boolean }) =>
      withAdmin(env, io.err, async ({ tessera }) => {
        const { ticket, expiresIn } = await tessera.adminCreateLoginTicket({
          user,
          ...(opts.scope !== undefined ? { scope: opts.scope } : {}),
        });
        io.out(opts.json ? JSON.stringify({ ticket, expires_in: expiresIn }) : ticket);
      }),
    );
}
