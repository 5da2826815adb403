#!/usr/bin/env node
// The `tessera` command: a committed launcher, so npm links it at install time, before the
// TypeScript is built into dist/ (`npm start` or `npm run build` builds it).
import "../dist/cli.js";
