#!/usr/bin/env node
// The `tessera-doctor` command: a committed launcher, so npm links it at install time, before the
// TypeScript is built into dist/ (`npm run build` builds it).
import "../dist/cli.js";
