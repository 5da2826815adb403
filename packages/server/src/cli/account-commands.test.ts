// The operator's account commands through the real `tessera` binary and a real server on one
// SQLite file: log a user out everywhere, set a password (stdin, never argv), and the one-line
// errors for a weak password and an unknown user.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type ServeProcess, startServe } from "../test-support/cli-process.js";

const work = mkdtempSync(join(tmpdir(), "tessera-accounts-"));
const env = { TESSERA_DATABASE_URL: `sqlite:${join(work, "data", "tessera.db")}`, TESSERA_LOG_LEVEL: "warn" };
const run = (args: string[], stdin?: string) =>
  runCli(args, { env, cwd: work, ...(stdin === undefined ? {} : { stdin }) });
const EMAIL = "grace@example.test";
const OLD = "first password for grace";
const NEW = "second password for grace";
let server: ServeProcess;

async function login(password: string): Promise<number> {
  const res = await fetch(`${server.url}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: EMAIL, password }),
  });
  return res.status;
}

async function liveSessions(): Promise<number> {
  const res = await run(["sessions", "list", EMAIL, "--json"]);
  return (JSON.parse(res.stdout) as unknown[]).length;
}

beforeAll(async () => {
  expect((await run(["users", "add", EMAIL], `${OLD}\n`)).code).toBe(0);
  server = await startServe({ env, cwd: work });
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe("tessera sessions revoke --all", () => {
  it("ends every session of the user", async () => {
    expect(await login(OLD)).toBe(200);
    expect(await login(OLD)).toBe(200);
    expect(await liveSessions()).toBe(2);
    const res = await run(["sessions", "revoke", "--all", EMAIL]);
    expect(res).toMatchObject({ code: 0, stderr: "" });
    expect(res.stdout).toBe("revoked 2 sessions; every token issued before now is refused\n");
    expect(await liveSessions()).toBe(0);
    const audit = await run(["audit", "--type", "user.logout_all", "--json"]);
    expect(audit.stdout).toContain('"by":"cli"');
  });

  it("refuses an unknown user and a missing argument in one line", async () => {
    expect(await run(["sessions", "revoke", "--all", "nobody@example.test"])).toMatchObject({
      code: 1,
      stderr: "tessera: no such user\n",
    });
    expect(await run(["sessions", "revoke"])).toMatchObject({
      code: 1,
      stderr: "tessera: give a session id, or --all <user id|email>\n",
    });
  });
});

describe("tessera users set-password", () => {
  it("says the rule a weak password breaks", async () => {
    const res = await run(["users", "set-password", EMAIL], "short\n");
    expect(res.code).toBe(1);
    expect(res.stderr).toBe("tessera: weak_password: password must be 8–256 characters\n");
  });

  it("sets the password from stdin and ends the user's sessions", async () => {
    expect(await login(OLD)).toBe(200);
    const res = await run(["users", "set-password", EMAIL], `${NEW}\n`);
    expect(res).toMatchObject({ code: 0, stdout: "password set; 1 sessions ended\n" });
    expect(await liveSessions()).toBe(0);
    expect(await login(OLD)).toBe(401);
    expect(await login(NEW)).toBe(200);
  });
});
