#!/usr/bin/env node
// `npm start`: bundles the example's server (and the @tessera/* packages it uses, from their
// TypeScript sources, so no `tsc` build is needed) into dist/, then runs it.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const repo = fileURLToPath(new URL("../../..", import.meta.url));
const outfile = `${root}dist/ssr-server.mjs`;

await build({
  entryPoints: [`${root}server/main.ts`],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "inline",
  logLevel: "warning",
  plugins: [
    {
      name: "tessera-sources",
      setup(builder) {
        builder.onResolve({ filter: /^[^./]/ }, (args) => {
          if (args.path === "@tessera/server/sessions")
            return { path: `${repo}packages/server/src/sessions/index.ts` };
          const own = /^@tessera\/([a-z-]+)$/.exec(args.path);
          if (own) return { path: `${repo}packages/${own[1]}/src/index.ts` };
          return { path: args.path, external: true };
        });
      },
    },
  ],
});
await import(outfile);
