// The real `tessera` binary for tests: the CLI bundled from source (sibling packages inlined, npm
// dependencies left to node_modules) and run as a child process. Everything it prints goes into
// the run-wide leak scan.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { recordWritten } from "./run-capture.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
let built: Promise<string> | undefined;

/**
 * Bundles `src/cli.ts` once per test worker; resolves to the path of the runnable bundle.
 *
 * @example
 * const cli = await buildCli();
 */
export function buildCli(): Promise<string> {
  built ??= (async () => {
    const outDir = join(root, "node_modules", ".cache", "tessera-server-cli-test", String(process.pid));
    const outfile = join(outDir, "cli.mjs");
    mkdirSync(outDir, { recursive: true });
    await build({
      entryPoints: [join(root, "packages/server/src/cli.ts")],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      logLevel: "silent",
      plugins: [
        {
          name: "tessera-sources",
          setup(b) {
            b.onResolve({ filter: /^@tessera\/[a-z-]+$/ }, (args) => ({
              path: join(root, "packages", args.path.slice("@tessera/".length), "src/index.ts"),
            }));
            b.onResolve({ filter: /^[^./]/ }, (args) => ({ path: args.path, external: true }));
          },
        },
      ],
    });
    return outfile;
  })();
  return built;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env: Record<string, string>;
  cwd: string;
  stdin?: string;
}

/**
 * Runs `tessera <args>` to completion. Only `PATH` is inherited from the test's environment.
 *
 * @example
 * const res = await runCli(["migrate"], { env, cwd });
 */
export async function runCli(args: string[], options: CliOptions): Promise<CliRun> {
  const child = spawnCli(await buildCli(), args, options);
  child.stdin.end(options.stdin ?? "");
  return collect(child);
}

/**
 * Starts `tessera <args>` and leaves it running (for `audit --follow`); `lines` resolves once
 * stdout holds at least `count` lines.
 *
 * @example
 * const follow = await spawnTessera(["audit", "--follow", "--json"], { env, cwd });
 * await follow.lines(1);
 * follow.child.kill();
 */
export async function spawnTessera(
  args: string[],
  options: CliOptions,
): Promise<{
  child: ChildProcessWithoutNullStreams;
  lines(count: number): Promise<string[]>;
  exit: Promise<CliRun>;
}> {
  const child = spawnCli(await buildCli(), args, options);
  child.stdin.end(options.stdin ?? "");
  const exit = collect(child);
  let stdout = "";
  const waiters: Array<() => void> = [];
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const wake of waiters.splice(0)) wake();
  });
  const current = () => stdout.split("\n").filter((line) => line !== "");
  const lines = async (count: number): Promise<string[]> => {
    while (current().length < count) {
      await new Promise<void>((resolve, reject) => {
        waiters.push(resolve);
        void exit.then((res) => reject(new Error(`exited ${res.code}: ${res.stderr}`)));
      });
    }
    return current();
  };
  return { child, lines, exit };
}

/** A `tessera serve` child process that is listening. */
export interface ServeProcess {
  url: string;
  child: ChildProcessWithoutNullStreams;
  /** SIGTERM, then the exit status. */
  stop(): Promise<number | null>;
}

/**
 * Starts `tessera serve` on a free port and waits for its "listening" line. Rejects with the
 * process's exit status and stderr if it exits first.
 *
 * @example
 * const server = await startServe({ env, cwd });
 * await fetch(`${server.url}/healthz`);
 * await server.stop();
 */
export async function startServe(options: CliOptions): Promise<ServeProcess> {
  const child = spawnCli(await buildCli(), ["serve"], { ...options, env: { PORT: "0", ...options.env } });
  child.stdin.end();
  const exit = collect(child);
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /tessera listening on (https?:\/\/[^\s]+)\n/.exec(stdout);
      // The banner says `localhost` for a loopback bind; tests call the address it is bound to.
      if (match?.[1]) resolve(match[1].replace("//localhost:", "//127.0.0.1:"));
    });
    void exit.then((res) => reject(new ServeExited(res)));
  });
  return {
    url,
    child,
    stop: async () => {
      child.kill("SIGTERM");
      return (await exit).code;
    },
  };
}

/** `tessera serve` exited before it listened. */
export class ServeExited extends Error {
  override readonly name = "ServeExited";
  readonly run: CliRun;
  constructor(run: CliRun) {
    super(`tessera serve exited with ${run.code}`);
    this.run = run;
  }
}

function spawnCli(cli: string, args: string[], options: CliOptions): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH ?? "", ...options.env },
    cwd: options.cwd,
  });
}

function collect(child: ChildProcessWithoutNullStreams): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      for (const text of [stdout, stderr]) {
        for (const line of text.split("\n")) if (line !== "") recordWritten("cli", line);
      }
      resolve({ code, stdout, stderr });
    });
  });
}
