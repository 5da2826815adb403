import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCli, type CliRun, runCli, startServe } from "../test-support/cli-process.js";
import { recordSecret } from "../test-support/run-capture.js";

// Smoke tests of the real `tessera` binary (bundled from source), run as a child process on a
// temp SQLite file.

const work = mkdtempSync(join(tmpdir(), "tessera-cli-"));
const env: Record<string, string> = {
  TESSERA_DATABASE_URL: `sqlite:${join(work, "data", "tessera.db")}`,
  TESSERA_LOG_LEVEL: "warn",
};

function run(
  args: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  return runCli(args, {
    env: { ...env, ...options.env },
    cwd: work,
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
  });
}

beforeAll(async () => {
  await buildCli();
});

describe("tessera CLI", () => {
  const password = "cli password for testing 1";
  recordSecret(password);

  it("migrate applies migrations and creates the development master key (0600)", async () => {
    const res = await run(["migrate"]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe("migrations applied");
  });

  it("users add / list / delete", async () => {
    const add = await run(["users", "add", "Admin@Example.test"], { stdin: `${password}\n` });
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/^created user \S+ <admin@example\.test>\n$/);
    expect(statSync(join(work, "data", "master.key")).mode & 0o777).toBe(0o600);

    const list = await run(["users", "list", "--json"]);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      { id: expect.any(String), email: "admin@example.test", roles: [] },
    ]);
    const table = await run(["users", "list"]);
    expect(table.stdout).toMatch(/^ID\s+EMAIL\s+ROLES\n\S+\s+admin@example\.test\s+-\n$/);

    const dup = await run(["users", "add", "admin@example.test"], { stdin: `${password}\n` });
    expect(dup.code).toBe(1);
    expect(dup.stderr.trim()).toMatch(/^tessera: email_taken(: .+)?$/);
  });

  it("users add --role, users roles --add/--remove, and users list shows roles", async () => {
    const add = await run(["users", "add", "boss@example.test", "--role", "admin", "--role", "support"], {
      stdin: `${password}\n`,
    });
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/^created user \S+ <boss@example\.test> roles: admin,support\n$/);

    const changed = await run([
      "users",
      "roles",
      "boss@example.test",
      "--remove",
      "admin",
      "--add",
      "billing",
    ]);
    expect(changed.code).toBe(0);
    expect(changed.stdout).toMatch(/<boss@example\.test> roles: billing,support\n$/);
    const list = JSON.parse((await run(["users", "list", "--json"])).stdout) as Array<{
      email: string;
      roles: string[];
    }>;
    expect(list.find((u) => u.email === "boss@example.test")?.roles).toEqual(["billing", "support"]);
    expect((await run(["users", "list"])).stdout).toMatch(/boss@example\.test\s+billing,support\n/);

    const bad = await run(["users", "roles", "boss@example.test", "--add", "Not A Role"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe("tessera: invalid_input: a role name is invalid");
    const nobody = await run(["users", "roles", "nobody@example.test", "--add", "admin"]);
    expect(nobody.stderr.trim()).toBe("tessera: not_found: no such user");
    expect((await run(["users", "delete", "boss@example.test"])).code).toBe(0);
  });

  it("a malformed TESSERA_ROLES_FILE stops start-up with one line", async () => {
    const file = join(work, "roles-bad.json");
    writeFileSync(file, JSON.stringify({ roles: { admin: ["has space"] } }));
    const res = await run(["users", "list"], { env: { TESSERA_ROLES_FILE: file } });
    expect(res.code).toBe(78);
    expect(res.stderr.trim().split("\n")).toHaveLength(1);
    expect(res.stderr).toMatch(/^tessera: invalid configuration: TESSERA_ROLES_FILE: /);
  });

  it("keys list / rotate", async () => {
    const before = JSON.parse((await run(["keys", "list", "--json"])).stdout) as Array<{
      kid: string;
      status: string;
    }>;
    const active = before.find((k) => k.status === "active");
    expect(active).toBeDefined();
    expect(JSON.stringify(before)).not.toContain("privateSealed");
    const rotated = await run(["keys", "rotate", "--json"]);
    expect(rotated.code).toBe(0);
    const after = JSON.parse(rotated.stdout) as Array<{ kid: string; status: string }>;
    expect(after.find((k) => k.kid === active?.kid)?.status).toBe("previous");
    expect(after.find((k) => k.status === "active")?.kid).not.toBe(active?.kid);
  });

  it("audit --json prints one event per line and never the password", async () => {
    const res = await run(["audit", "--json", "--since", "1h"]);
    expect(res.code).toBe(0);
    const events = res.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; at: number });
    expect(events.length).toBeGreaterThan(0);
    expect(events.map((e) => e.type).join(" ")).toMatch(/key/);
    expect(res.stdout).not.toContain(password);
    const filtered = await run(["audit", "--json", "--type", "no.such.type"]);
    expect(filtered.code).toBe(1);
    expect(filtered.stdout).toBe("");
    expect(filtered.stderr).toMatch(
      /^tessera: --type: unknown event type "no\.such\.type"; one of: user\.registered, .*refresh\.reuse_detected.*\n$/,
    );
  });

  it("keys rewrap re-seals the keys under a new master key; the old key no longer opens them", async () => {
    const before = JSON.parse((await run(["keys", "list", "--json"])).stdout) as Array<{ kid: string }>;
    const newKeyFile = join(work, "new-master.key");
    writeFileSync(newKeyFile, `${"ab".repeat(32)}\n`, { mode: 0o600 });
    const rewrap = await run(["keys", "rewrap", "--new-key-file", newKeyFile]);
    expect(rewrap.code).toBe(0);
    expect(rewrap.stdout).toMatch(/^re-sealed \d+ signing keys/);

    const withOld = await run(["keys", "list", "--json"]);
    expect(withOld.code).toBe(1);
    expect(withOld.stderr).toMatch(/^tessera: master_key_mismatch: /);
    const withNew = await run(["keys", "list", "--json"], { env: { TESSERA_MASTER_KEY_FILE: newKeyFile } });
    expect(withNew.code).toBe(0);
    // Same keys (same kids): tokens signed before the rewrap keep verifying.
    expect((JSON.parse(withNew.stdout) as Array<{ kid: string }>).map((k) => k.kid)).toEqual(
      before.map((k) => k.kid),
    );
    // Later commands in this file run with the new key.
    Object.assign(env, { TESSERA_MASTER_KEY_FILE: newKeyFile });
  });

  it("users disable / enable, and tickets create prints a ticket that logs the user in once", async () => {
    const disable = await run(["users", "disable", "admin@example.test"]);
    expect([disable.code, disable.stdout.trim()]).toEqual([0, "disabled"]);
    const refused = await run(["tickets", "create", "admin@example.test"]);
    expect([refused.code, refused.stderr.trim()]).toEqual([
      1,
      "tessera: account_disabled: the account is disabled",
    ]);
    const enable = await run(["users", "enable", "admin@example.test"]);
    expect([enable.code, enable.stdout.trim()]).toEqual([0, "enabled"]);
    expect((await run(["users", "disable", "nobody@example.test"])).code).toBe(1);

    const created = await run(["tickets", "create", "admin@example.test", "--json"]);
    expect(created.code).toBe(0);
    const { ticket, expires_in } = JSON.parse(created.stdout) as { ticket: string; expires_in: number };
    // Not recorded as a secret: printing it is this command's job (the HTTP tests scan logs and
    // audit rows for tickets).
    expect([ticket, expires_in]).toEqual([expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), 60]);
    const server = await startServe({ env, cwd: work });
    try {
      const redeem = () =>
        fetch(`${server.url}/auth/login/ticket`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ ticket, token_delivery: "body" }),
        });
      const first = await redeem();
      expect(first.status).toBe(200);
      const body = (await first.json()) as { user: { email: string } };
      expect(body.user.email).toBe("admin@example.test");
      expect((await redeem()).status).toBe(401);
    } finally {
      await server.stop();
    }
  });

  it("users delete removes the account", async () => {
    const del = await run(["users", "delete", "admin@example.test"]);
    expect(del.code).toBe(0);
    expect(del.stdout.trim()).toBe("deleted");
    const left = JSON.parse((await run(["users", "list", "--json"])).stdout) as Array<{ email: string }>;
    expect(left.map((u) => u.email)).not.toContain("admin@example.test");
    const again = await run(["users", "delete", "admin@example.test"]);
    expect(again.code).toBe(1);
  });

  it("stops on invalid configuration with one line naming the variable (exit 78)", async () => {
    const res = await run(["migrate"], { env: { TESSERA_ACCESS_TOKEN_TTL: "forever" } });
    expect(res.code).toBe(78);
    expect(res.stderr).toBe(
      "tessera: invalid configuration: TESSERA_ACCESS_TOKEN_TTL: expected a duration such as 30s, 15m, 7d\n",
    );
    const prod = await run(["serve"], { env: { NODE_ENV: "production" } });
    expect(prod.code).toBe(78);
    expect(prod.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("serve prints one line with the URL, answers, and shuts down cleanly on SIGTERM", async () => {
    const server = await startServe({ env, cwd: work });
    const url = server.url;
    const health = await fetch(`${url}/readyz`);
    expect(health.status).toBe(200);

    // Admin commands work beside a running server: a revoked session stops working at once.
    const json = { "content-type": "application/json" };
    const credentials = JSON.stringify({ email: "bob@example.test", password });
    expect(
      (await fetch(`${url}/auth/register`, { method: "POST", headers: json, body: credentials })).status,
    ).toBe(201);
    const login = await fetch(`${url}/auth/login`, { method: "POST", headers: json, body: credentials });
    const { access_token: access } = (await login.json()) as { access_token: string };
    recordSecret(access);
    const listed = await run(["sessions", "list", "bob@example.test", "--json"]);
    expect(listed.code).toBe(0);
    const sessions = JSON.parse(listed.stdout) as Array<{ id: string }>;
    expect(sessions).toHaveLength(1);
    const revoke = await run(["sessions", "revoke", sessions[0]?.id ?? ""]);
    expect(revoke.stdout.trim()).toBe("revoked");
    const me = await fetch(`${url}/auth/me`, { headers: { authorization: `Bearer ${access}` } });
    expect(me.status).toBe(401);
    expect((await run(["sessions", "revoke", sessions[0]?.id ?? ""])).code).toBe(1);
    expect(await server.stop()).toBe(0);
    expect(readFileSync(join(work, "data", "master.key"), "utf8").trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("doctor checks a served instance from outside: every check passes in the default configuration", async () => {
    // The issuer defaults to http://localhost:$PORT, so the port is chosen before start-up.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
      });
    });
    const server = await startServe({ env: { ...env, PORT: String(port) }, cwd: work });
    try {
      const doctor = await run(["doctor", `http://localhost:${port}`, "--json"]);
      const report = JSON.parse(doctor.stdout) as {
        ok: boolean;
        checks: Array<{ id: string; status: string }>;
      };
      expect(report.checks.filter((c) => c.status === "fail")).toEqual([]);
      expect(report.checks.filter((c) => c.status === "pass").length).toBeGreaterThan(25);
      expect(report.ok).toBe(true);
      expect(doctor.code).toBe(0);
      // Unusable arguments are the doctor's exit status 2, through the tessera binary too.
      expect((await run(["doctor", "not a url"])).code).toBe(2);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
