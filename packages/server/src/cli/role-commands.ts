import type { Command } from "commander";
import type { AdminContext } from "./admin-context.js";
import type { CliIo } from "./io.js";

/** Commander's accumulator for a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** ` roles: a,b` for a user holding roles, else nothing. */
export function rolesSuffix(roles: readonly string[]): string {
  return roles.length === 0 ? "" : ` roles: ${roles.join(",")}`;
}

/**
 * `tessera users roles <user> [--add r]… [--remove r]…`: change a user's roles, then print them.
 * Removing a role refuses the user's earlier access tokens everywhere revocation is checked; the
 * user's sessions stay alive and their next refresh carries the new roles.
 *
 * @example
 * addRoleCommand(users, run, io);
 */
export function addRoleCommand(
  users: Command,
  run: (action: (admin: AdminContext) => Promise<void>) => () => Promise<void>,
  io: CliIo,
): void {
  users
    .command("roles <idOrEmail>")
    .description("show a user's roles, or change them with --add / --remove (repeatable)")
    .option("--add <role>", "give the user this role", collect, [])
    .option("--remove <role>", "take this role away (earlier access tokens stop working)", collect, [])
    .option("--json", "print JSON")
    .action(async (idOrEmail: string, opts: { add: string[]; remove: string[]; json?: boolean }) =>
      run(async ({ tessera }) => {
        const user = await tessera.adminChangeRoles(idOrEmail, { add: opts.add, remove: opts.remove });
        if (opts.json) return io.out(JSON.stringify(user));
        io.out(`${user.id} <${user.email}> roles: ${user.roles.join(",") || "-"}`);
      })(),
    );
}
