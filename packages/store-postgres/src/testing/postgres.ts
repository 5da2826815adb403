import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

/** A PostgreSQL server for tests: started here in a temp dir, or an existing one given by URL. */
export interface TestPostgres {
  /** URL of the server's maintenance database (`postgres`). */
  url: string;
  /** Create a fresh, empty database and return its URL. */
  createDatabase(): Promise<string>;
  /**
   * Stop the server but keep its data, to test an outage (`halt("immediate")` kills it without a
   * shutdown checkpoint, aborting open transactions, as a crash would); `resume()` starts it again
   * on the same data directory and port (recovering from the WAL after an immediate stop). `null` for an existing server given by URL (we do not own it).
   */
  outage: { halt(mode?: "fast" | "immediate"): Promise<void>; resume(): Promise<void> } | null;
  /** Stop the server and delete its data (or, for an existing server, drop the databases made). */
  stop(): Promise<void>;
}

/** Directory holding `initdb` and `pg_ctl`: `$TESSERA_PG_BIN`, the newest Debian version, or PATH. */
export function findPostgresBinDir(): string | null {
  const candidates: string[] = [];
  if (process.env.TESSERA_PG_BIN) candidates.push(process.env.TESSERA_PG_BIN);
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, "bin")));
  }
  for (const dir of (process.env.PATH ?? "").split(":")) if (dir) candidates.push(dir);
  return candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"))) ?? null;
}

/**
 * Whether PostgreSQL tests can run. When they cannot: in CI (`$CI` set) this throws, so the test
 * file fails instead of silently skipping; elsewhere it prints a loud warning and returns false.
 *
 * @example
 * describe.skipIf(!postgresTestsEnabled())("on PostgreSQL", () => { … });
 */
export function postgresTestsEnabled(): boolean {
  if (process.env.TESSERA_TEST_POSTGRES_URL) return true;
  if (findPostgresBinDir()) return true;
  const reason =
    "PostgreSQL binaries (initdb, pg_ctl) not found. Install Debian's `postgresql` package, set TESSERA_PG_BIN, or set TESSERA_TEST_POSTGRES_URL to an existing server.";
  if (process.env.CI) throw new Error(`PostgreSQL tests cannot run in CI: ${reason}`);
  console.warn(`\n${"!".repeat(100)}\n!!! SKIPPING PostgreSQL tests: ${reason}\n${"!".repeat(100)}\n`);
  return false;
}

/**
 * Start a throwaway PostgreSQL on 127.0.0.1 at a free port, data and unix socket in a temp dir
 * (as the `postgres` user when running as root, since PostgreSQL refuses to run as root), or use
 * the server at `$TESSERA_TEST_POSTGRES_URL`. Start one per test file and give each store its own
 * database.
 *
 * @example
 * let server: TestPostgres;
 * beforeAll(async () => { server = await startTestPostgres(); });
 * afterAll(() => server.stop());
 * const store = createPostgresStore({ connectionString: await server.createDatabase() });
 */
export async function startTestPostgres(options: { durableCommits?: boolean } = {}): Promise<TestPostgres> {
  const external = process.env.TESSERA_TEST_POSTGRES_URL;
  if (external) return useExisting(external);
  const bin = findPostgresBinDir();
  if (!bin) throw new Error("PostgreSQL binaries not found (see postgresTestsEnabled)");
  return startLocal(bin, options.durableCommits ?? false);
}

async function startLocal(bin: string, durableCommits: boolean): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "tessera-pg-"));
  const data = join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const exec = (tool: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", join(bin, tool), ...args]) : run(join(bin, tool), args);
  const execSync = (tool: string, args: string[]) =>
    asRoot
      ? execFileSync("runuser", ["-u", "postgres", "--", join(bin, tool), ...args], { stdio: "ignore" })
      : execFileSync(join(bin, tool), args, { stdio: "ignore" });

  await exec("initdb", [
    "-D",
    data,
    "-U",
    "postgres",
    "-A",
    "trust",
    "--no-sync",
    "-E",
    "UTF8",
    "--locale=C",
  ]);

  let port = 0;
  const start = async (fixedPort?: number) => {
    for (let attempt = 0; ; attempt++) {
      port = fixedPort ?? (await freePort());
      const settings = [
        "-c listen_addresses=127.0.0.1",
        `-p ${port}`,
        `-k ${dir}`,
        // Durability is pointless for a throwaway server; speed is not. Except for a test that
        // kills PostgreSQL itself (`pg_ctl stop -m immediate`): with synchronous_commit=off a
        // commit is acknowledged before its WAL is written, and such a kill loses it — an answered
        // refresh whose successor the database no longer has. WAL written at COMMIT survives the
        // kill of the process (fsync stays off: the OS keeps what was written).
        `-c fsync=off -c synchronous_commit=${durableCommits ? "on" : "off"} -c full_page_writes=off`,
        "-c max_connections=300",
      ].join(" ");
      try {
        await exec("pg_ctl", [
          "-D",
          data,
          "-l",
          join(dir, "server.log"),
          "-w",
          "-t",
          "30",
          "-o",
          settings,
          "start",
        ]);
        return;
      } catch (error) {
        // Another process may have taken the port between our probe and the start.
        if (fixedPort !== undefined || attempt >= 3) throw error;
      }
    }
  };
  const stopServer = (mode: "fast" | "immediate") => exec("pg_ctl", ["-D", data, "-m", mode, "-w", "stop"]);

  await start();
  let running = true;
  // If the test process dies without afterAll, do not leave a server behind.
  const onExit = () => {
    if (running) {
      try {
        execSync("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    createDatabase: () => createDatabase(url),
    outage: {
      async halt(mode = "fast") {
        await stopServer(mode);
        running = false;
      },
      async resume() {
        await start(port);
        running = true;
      },
    },
    async stop() {
      process.removeListener("exit", onExit);
      if (running) await stopServer("immediate");
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function useExisting(url: string): TestPostgres {
  const created: string[] = [];
  return {
    url,
    async createDatabase() {
      const dbUrl = await createDatabase(url);
      created.push(new URL(dbUrl).pathname.slice(1));
      return dbUrl;
    },
    outage: null,
    async stop() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        for (const name of created) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

async function createDatabase(serverUrl: string): Promise<string> {
  const name = `tessera_test_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const dbUrl = new URL(serverUrl);
  dbUrl.pathname = `/${name}`;
  return dbUrl.toString();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
