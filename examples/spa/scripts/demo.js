#!/usr/bin/env node
// `npm run demo`: bundles the demo's servers (and the @tessera/* packages they use, from their
// TypeScript sources, so no `tsc` build is needed) into dist/, then runs them. The page itself is
// bundled when the page server starts.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const repo = fileURLToPath(new URL("../../..", import.meta.url));
const outfile = `${root}dist/demo-server.mjs`;

/** @tessera/<pkg> → packages/<pkg>/src/index.ts; every other package is imported at run time. */
const sourcesAndExternals = {
  name: "tessera-sources",
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) => {
      const own = /^@tessera\/([a-z-]+)$/.exec(args.path);
      if (own) return { path: `${repo}packages/${own[1]}/src/index.ts` };
      return { path: args.path, external: true };
    });
  },
};

await build({
  entryPoints: [`${root}server/main.ts`],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "inline",
  logLevel: "warning",
  plugins: [sourcesAndExternals],
});
await import(outfile);
