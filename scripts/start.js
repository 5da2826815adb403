#!/usr/bin/env node
// `npm start`: build the packages, then run `tessera serve` IN THIS PROCESS. One process from npm
// down to the server, so the SIGTERM/SIGINT npm forwards to its script reaches the server's
// graceful shutdown (a shell running `build && node …` would die alone and leave an orphan).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const tsc = fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url));
const build = spawnSync(process.execPath, [tsc, "-b"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

const cli = fileURLToPath(new URL("../packages/server/dist/cli.js", import.meta.url));
process.argv = [process.argv[0], cli, "serve", ...process.argv.slice(2)];
await import(cli);
