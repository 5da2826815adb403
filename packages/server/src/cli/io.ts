import { createInterface } from "node:readline";
import { printable } from "../printable.js";

/** Where a command writes: stdout for results, stderr for notes. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  readSecret(prompt: string): Promise<string>;
}

/**
 * The process's own terminal: results on stdout, notes on stderr, and secrets read without echo
 * from a TTY or as the first line of piped stdin (`echo "$PW" | tessera users add …`).
 *
 * @example
 * const password = await processIo.readSecret("Password: ");
 */
export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  readSecret: (prompt) =>
    new Promise((resolve, reject) => {
      const tty = process.stdin.isTTY === true;
      const rl = createInterface({
        input: process.stdin,
        output: tty ? process.stderr : undefined,
        terminal: tty,
      });
      let answered = false;
      if (tty) {
        process.stderr.write(prompt);
        // Swallow the echo of what is typed.
        (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
      }
      rl.once("line", (line) => {
        answered = true;
        rl.close();
        if (tty) process.stderr.write("\n");
        resolve(line);
      });
      rl.once("close", () => {
        if (!answered) reject(new Error("no password given on stdin"));
      });
    }),
};

/**
 * Formats rows as an aligned text table; control and bidi characters in a cell are escaped.
 *
 * @example
 * table([["id", "email"], ["u1", "a@example.com"]]);
 */
export function table(cells: ReadonlyArray<ReadonlyArray<string>>): string {
  const rows = cells.map((row) => row.map(printable));
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
