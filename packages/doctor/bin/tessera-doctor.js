#!/usr/bin/env node
// The `tessera-doctor` command: a committed launcher, so npm links it at install time, before the
// TypeScript is built into dist/ (`npm start` or `npm run build` builds it in a checkout).
import { existsSync } from "node:fs";

const cli = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(cli)) {
  console.error(
    "tessera-doctor: not built yet (no dist/cli.js): run `npm run build` in the Tessera checkout first",
  );
  process.exit(1);
}
await import(cli.href);
