import { readFile } from "node:fs/promises";
import type { ImportSkipReason, Tessera } from "@tessera/core";
import type { Command } from "commander";
import type { CliIo } from "./io.js";

/** A command that failed in an expected way (see `CliFailure`). */
type Fail = (message: string) => Error;

/**
 * `tessera users import <file.jsonl>`: one JSON object per line, `{email, password_hash?, roles?,
 * email_verified?}` as `POST /admin/users/import` takes them. Prints every skipped line with its
 * reason, then the count imported. Skipped lines do not fail the command; only an unreadable file
 * does (exit status 1). Blank lines are ignored; a line that is not JSON is `invalid_json`.
 *
 * @example
 * addUsersImportCommand(users, (action) => run(action), io, (m) => new CliFailure(m));
 */
export function addUsersImportCommand(
  users: Command,
  run: (action: (admin: { tessera: Tessera }) => Promise<void>) => () => Promise<void>,
  io: CliIo,
  fail: Fail,
): void {
  users
    .command("import <file>")
    .description(
      "import users with their password hashes from another system (JSON Lines: email, password_hash?, roles?, email_verified?)",
    )
    .action(async (file: string) => {
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
        throw fail(`cannot read ${file}: ${code}`);
      }
      await run(async ({ tessera }) => {
        const { imported, skipped } = await importLines(tessera, text.split(/\r?\n/));
        for (const line of skipped)
          io.out(`line ${line.line}: ${JSON.stringify(line.email)}: ${line.reason}`);
        io.out(`imported ${imported} users, skipped ${skipped.length}`);
      })();
    });
}

interface SkippedLine {
  line: number;
  email: string;
  reason: ImportSkipReason | "invalid_json";
}

/** Each line on its own, so every skip is reported with its line number. */
async function importLines(
  tessera: Tessera,
  lines: string[],
): Promise<{ imported: number; skipped: SkippedLine[] }> {
  let imported = 0;
  const skipped: SkippedLine[] = [];
  for (const [index, text] of lines.entries()) {
    if (text.trim() === "") continue;
    let entry: unknown;
    try {
      entry = JSON.parse(text);
    } catch {
      skipped.push({ line: index + 1, email: "", reason: "invalid_json" });
      continue;
    }
    const result = await tessera.adminImportUsers([entry]);
    imported += result.imported;
    for (const skip of result.skipped) skipped.push({ line: index + 1, ...skip });
  }
  return { imported, skipped };
}
