// The cross-file leak check of the server test suite. Every test worker appends each log line,
// each audit row and each secret (token, CSRF token, password) it used to files in one directory
// per `vitest run`; every test file that imports this module scans the whole directory when it
// ends. Test files run in parallel and in no fixed order, so each scan covers everything finished
// so far — and the file that finishes last scans everything the run wrote.
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";

const PREFIX = "tessera-test-run-";

// Vitest's fork workers are children of the one `vitest` process: its pid names the run.
const runId = process.env.TESSERA_TEST_RUN_ID ?? String(process.ppid);
/** The directory this run's captures are written to. */
export const RUN_DIR = join(tmpdir(), `${PREFIX}${runId}`);
mkdirSync(RUN_DIR, { recursive: true });
removeStaleRuns();

const own = (kind: string) => join(RUN_DIR, `${kind}-${process.pid}.txt`);
const recorded = new Set<string>();

/**
 * Records a secret that crossed the wire in a test (at least 8 characters; shorter values are
 * too likely to occur by chance).
 *
 * @example
 * recordSecret(login.body.access_token);
 */
export function recordSecret(secret: string): void {
  if (secret.length < 8 || secret.includes("\n") || recorded.has(secret)) return;
  recorded.add(secret);
  appendFileSync(own("secrets"), `${secret}\n`);
}

/**
 * Records text a server wrote where a secret must never appear: a log line, an audit row, CLI
 * output.
 *
 * @example
 * recordWritten("log", line);
 */
export function recordWritten(kind: "log" | "audit" | "cli", text: string): void {
  appendFileSync(own(kind), `${text.replace(/\n/g, "\\n")}\n`);
}

/**
 * What was written into a capture directory (by default this run's) that contains a secret
 * recorded there; each leak names the file and only the start of the secret.
 *
 * @example
 * expect(scanRun()).toEqual([]);
 */
export function scanRun(dir = RUN_DIR): Array<{ secret: string; where: string }> {
  const secrets = new Set<string>();
  const written: Array<{ file: string; text: string }> = [];
  for (const file of readdirSync(dir)) {
    const text = readFileSync(join(dir, file), "utf8");
    if (file.startsWith("secrets-")) {
      for (const line of text.split("\n")) if (line !== "") secrets.add(line);
    } else {
      written.push({ file, text });
    }
  }
  const leaks: Array<{ secret: string; where: string }> = [];
  for (const secret of secrets) {
    for (const { file, text } of written) {
      if (text.includes(secret)) leaks.push({ secret: `${secret.slice(0, 6)}…`, where: file });
    }
  }
  return leaks;
}

/**
 * How many secrets and written lines a capture directory holds (to show the scan is not empty).
 *
 * @example
 * expect(runCaptureSize().secrets).toBeGreaterThan(0);
 */
export function runCaptureSize(dir = RUN_DIR): { secrets: number; lines: number } {
  let secrets = 0;
  let lines = 0;
  for (const file of readdirSync(dir)) {
    const count = readFileSync(join(dir, file), "utf8").split("\n").length - 1;
    if (file.startsWith("secrets-")) secrets += count;
    else lines += count;
  }
  return { secrets, lines };
}

afterAll(() => {
  expect(scanRun()).toEqual([]);
});

function removeStaleRuns(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length));
    if (!Number.isInteger(pid) || pid === Number(runId) || isAlive(pid)) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
