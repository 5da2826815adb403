import { type AuditEvent, type AuditFilter, rewrapSigningKeys } from "@tessera/core";
import type { Command } from "commander";
import { ConfigError } from "../config/config-error.js";
import { parseDuration } from "../config/duration.js";
import { loadConfig } from "../config/load-config.js";
import { parseMasterKey } from "../config/master-key.js";
import { resolveMasterKey } from "../config/resolve-master-key.js";
import { type Environment, readSecret } from "../config/secrets.js";
import { openStore } from "../open-store.js";
import { jsonLine, printable } from "../printable.js";
import { logOutEverywhere, setPassword, unknownAuditType } from "./account-commands.js";
import { type AdminContext, openAdmin } from "./admin-context.js";
import { type CliIo, table } from "./io.js";
import { addLimitsCommand } from "./limits-command.js";
import { addRoleCommand, collect, rolesSuffix } from "./role-commands.js";
import { addUsersImportCommand } from "./users-import-command.js";

const iso = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString());

/**
 * Adds `users`, `sessions`, `keys` and `audit` to the program.
 *
 * @example
 * addAdminCommands(program, process.env, processIo);
 */
export function addAdminCommands(program: Command, env: Environment, io: CliIo): void {
  const run = (action: (admin: AdminContext) => Promise<void>) => async () => {
    const admin = await openAdmin(env, io.err);
    try {
      await action(admin);
    } finally {
      await admin.close();
    }
  };

  const users = program.command("users").description("manage user accounts");
  users
    .command("add <email>")
    .description("create a user; the password is read from the terminal or the first line of stdin")
    .option("--role <role>", "give the user this role (repeatable)", collect, [])
    .action(async (email: string, opts: { role: string[] }) => {
      const password = await io.readSecret("Password: ");
      await run(async ({ tessera }) => {
        const user = await tessera.adminCreateUser(email, password, { roles: opts.role });
        io.out(`created user ${user.id} <${user.email}>${rolesSuffix(user.roles)}`);
      })();
    });
  users
    .command("set-password <idOrEmail>")
    .description(
      "set a user's password (read from the terminal or the first line of stdin, never argv); " +
        "ends every session of the user",
    )
    .action(async (idOrEmail: string) => {
      const password = await io.readSecret("New password: ");
      await run(async (admin) => {
        const ended = await setPassword(admin, await resolveUserId(admin, idOrEmail), password);
        if (ended === null) throw new CliFailure("no such user");
        io.out(`password set; ${ended} sessions ended`);
      })();
    });
  users
    .command("list")
    .option("--json", "print JSON")
    .option("--limit <n>", "at most this many", "1000")
    .action(async (opts: { json?: boolean; limit: string }) =>
      run(async ({ tessera }) => {
        const list = await tessera.adminListUsers({ limit: Number(opts.limit) });
        if (opts.json) return io.out(jsonLine(list));
        io.out(
          table([["ID", "EMAIL", "ROLES"], ...list.map((u) => [u.id, u.email, u.roles.join(",") || "-"])]),
        );
      })(),
    );
  addRoleCommand(users, run, io);
  users
    .command("delete <idOrEmail>")
    .description("delete a user with every session; their access tokens stop working")
    .action(async (idOrEmail: string) =>
      run(async ({ tessera }) => {
        if (!(await tessera.adminDeleteUser(idOrEmail))) throw new CliFailure("no such user");
        io.out("deleted");
      })(),
    );
  addUsersImportCommand(users, run, io, (message) => new CliFailure(message));

  const sessions = program.command("sessions").description("inspect and revoke sessions");
  sessions
    .command("list <userIdOrEmail>")
    .option("--json", "print JSON")
    .action(async (user: string, opts: { json?: boolean }) =>
      run(async ({ tessera }) => {
        const list = await tessera.adminListSessions(user);
        if (opts.json) return io.out(jsonLine(list));
        io.out(
          table([
            ["ID", "KIND", "CREATED", "LAST USED", "LAST IP", "USER AGENT"],
            ...list.map((s) => [
              s.id,
              s.kind,
              iso(s.createdAt),
              iso(s.lastUsedAt),
              s.lastIp ?? "-",
              s.lastUserAgent ?? "-",
            ]),
          ]),
        );
      })(),
    );
  sessions
    .command("revoke [sessionId]")
    .description("revoke one session, or with --all every session of a user (log out everywhere)")
    .option("--all <userIdOrEmail>", "every session of this user; their access tokens stop working too")
    .action(async (id: string | undefined, opts: { all?: string }) =>
      run(async (admin) => {
        if (opts.all !== undefined) {
          if (id !== undefined) throw new CliFailure("give a session id or --all <user>, not both");
          const ended = await logOutEverywhere(admin, await resolveUserId(admin, opts.all));
          if (ended === null) throw new CliFailure("no such user");
          return io.out(`revoked ${ended} sessions; every token issued before now is refused`);
        }
        if (id === undefined) throw new CliFailure("give a session id, or --all <user id|email>");
        if (!(await admin.tessera.adminRevokeSession(id))) throw new CliFailure("no such live session");
        io.out("revoked");
      })(),
    );

  addLimitsCommand(program, env, io, (message) => new CliFailure(message));

  const keys = program.command("keys").description("signing keys");
  const printKeys = async ({ tessera }: AdminContext, json: boolean | undefined) => {
    const list = await tessera.listKeys();
    if (json) return io.out(jsonLine(list));
    io.out(
      table([
        ["KID", "ALG", "STATUS", "CREATED", "ACTIVATED", "RETIRED"],
        ...list.map((k) => [k.kid, k.alg, k.status, iso(k.createdAt), iso(k.activatedAt), iso(k.retiredAt)]),
      ]),
    );
  };
  keys
    .command("list")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => run((admin) => printKeys(admin, opts.json))());
  keys
    .command("rotate")
    .description("next → active, active → previous, and a new next key (published before it signs)")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) =>
      run(async (admin) => {
        await admin.tessera.rotateKeys();
        await printKeys(admin, opts.json);
      })(),
    );
  keys
    .command("retire <kid>")
    .description("stop publishing a previous key")
    .action(async (kid: string) =>
      run(async ({ tessera }) => {
        await tessera.retireKey(kid);
        io.out(`retired ${kid}`);
      })(),
    );

  keys
    .command("rewrap")
    .description(
      "re-seal every stored signing key under a new master key, given in TESSERA_NEW_MASTER_KEY or " +
        "TESSERA_NEW_MASTER_KEY_FILE (one transaction, no downtime)",
    )
    .option(
      "--new-key-file <path>",
      "same as TESSERA_NEW_MASTER_KEY_FILE (the key itself never goes on argv)",
    )
    .action(async (opts: { newKeyFile?: string }) => {
      const config = loadConfig(env);
      const newKey = readNewMasterKey(env, opts.newKeyFile, config.production);
      const { key: oldKey } = resolveMasterKey(config);
      if (Buffer.from(oldKey).equals(Buffer.from(newKey))) {
        throw new CliFailure("the new master key is the current one");
      }
      const store = openStore(config.database);
      try {
        await store.migrate();
        const count = await rewrapSigningKeys({ store, oldMasterKey: oldKey, newMasterKey: newKey });
        await store.appendAudit({
          at: Date.now(),
          type: "key.rewrapped",
          outcome: "success",
          userId: null,
          sessionId: null,
          ip: null,
          userAgent: null,
          data: { count },
        });
        io.out(`re-sealed ${count} signing keys; start every instance with the new master key now`);
      } finally {
        await store.close();
      }
    });

  program
    .command("audit")
    .description("print audit events, oldest first")
    .option("--user <idOrEmail>", "only this user's events")
    .option("--type <type>", "only this event type (e.g. refresh.reuse_detected)")
    .option("--since <when>", "from this time: a duration back from now (1h, 7d) or an ISO date")
    .option("--until <when>", "up to this time: a duration back from now (1h, 7d) or an ISO date")
    .option("--limit <n>", "the most recent this many (still printed oldest first)", "100")
    .option("--json", "print one JSON object per line")
    .option("--follow", "keep printing new events (checks every second)")
    .action(
      async (opts: {
        user?: string;
        type?: string;
        since?: string;
        until?: string;
        limit: string;
        json?: boolean;
        follow?: boolean;
      }) =>
        run(async (admin) => {
          const limit = Number(opts.limit);
          if (!Number.isSafeInteger(limit) || limit < 1)
            throw new CliFailure("--limit: expected a positive number");
          const filter: AuditFilter = {};
          if (opts.user) filter.userId = await resolveUserId(admin, opts.user);
          if (opts.type) {
            const unknown = unknownAuditType(opts.type);
            if (unknown) throw new CliFailure(unknown);
            filter.type = opts.type;
          }
          if (opts.since) filter.since = parseWhen(opts.since, "--since");
          if (opts.until) filter.until = parseWhen(opts.until, "--until");
          let events = await latestEvents(admin, filter, limit);
          if (opts.json) for (const e of events) io.out(jsonLine(e));
          else if (events.length > 0) io.out(table([AUDIT_HEADER, ...events.map(auditRow)]));
          if (!opts.follow) return;
          let lastId = Math.max(0, ...events.map((e) => e.id ?? 0));
          for (;;) {
            await new Promise((resolve) => setTimeout(resolve, 1_000));
            events = await admin.tessera.listAudit({ ...filter, afterId: lastId, limit: 1_000 });
            for (const e of events) io.out(opts.json ? jsonLine(e) : auditRow(e).map(printable).join("  "));
            lastId = Math.max(lastId, ...events.map((e) => e.id ?? 0));
          }
        })(),
    );
}

/** A command that failed in an expected way: the message is printed, exit status 1. */
export class CliFailure extends Error {
  override readonly name = "CliFailure";
}

/**
 * The most recent `limit` events matching `filter`, oldest first, like `tail`. The store lists
 * oldest first, so this pages through the matches (narrow with --since for very long logs).
 */
async function latestEvents(admin: AdminContext, filter: AuditFilter, limit: number): Promise<AuditEvent[]> {
  const PAGE = 1_000;
  let kept: AuditEvent[] = [];
  let afterId = 0;
  for (;;) {
    const page = await admin.tessera.listAudit({ ...filter, afterId, limit: PAGE });
    kept = [...kept, ...page].slice(-limit);
    if (page.length < PAGE) return kept;
    afterId = page.at(-1)?.id ?? afterId;
  }
}

const AUDIT_HEADER = ["TIME", "TYPE", "OUTCOME", "USER", "SESSION", "IP", "USER AGENT", "DATA"];

function auditRow(e: AuditEvent): string[] {
  const data = Object.entries(e.data)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" ");
  const agent =
    e.userAgent === null ? "-" : e.userAgent.length > 40 ? `${e.userAgent.slice(0, 39)}…` : e.userAgent;
  return [iso(e.at), e.type, e.outcome, e.userId ?? "-", e.sessionId ?? "-", e.ip ?? "-", agent, data || "-"];
}

/** The new master key of `keys rewrap`: from the environment (or its file), never from argv. */
function readNewMasterKey(env: Environment, keyFile: string | undefined, production: boolean): Uint8Array {
  const name = "TESSERA_NEW_MASTER_KEY";
  if (keyFile !== undefined && env[`${name}_FILE`] !== undefined) {
    throw new ConfigError(`${name}_FILE`, `set either ${name}_FILE or --new-key-file, not both`);
  }
  const text = readSecret(
    keyFile === undefined ? env : { ...env, [`${name}_FILE`]: keyFile },
    name,
    production,
  );
  if (text === undefined) throw new ConfigError(name, `set ${name} or ${name}_FILE to the new master key`);
  const key = parseMasterKey(text);
  if (!key) throw new ConfigError(name, "expected 32 bytes as hex (64 digits), base64 or base64url");
  return key;
}

function parseWhen(text: string, option: string): number {
  const back = parseDuration(text);
  if (back !== null) return Date.now() - back;
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new CliFailure(`${option}: expected a duration (1h, 7d) or an ISO date`);
  return at;
}

async function resolveUserId(admin: AdminContext, idOrEmail: string): Promise<string> {
  if (!idOrEmail.includes("@")) return idOrEmail;
  const user = await admin.store.getUserByEmail(idOrEmail.trim().normalize("NFC").toLowerCase());
  if (!user) throw new CliFailure("no such user");
  return user.id;
}
