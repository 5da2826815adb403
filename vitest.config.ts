import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const pkg = (p: string) => fileURLToPath(new URL(`./packages/${p}`, import.meta.url));

// Tests run against the TypeScript sources of sibling packages, so no build is needed first.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@tessera\/verify\/(express|fastify|hono)$/, replacement: `${pkg("")}verify/src/$1.ts` },
      { find: /^@tessera\/client\/dpop$/, replacement: `${pkg("")}client/src/dpop.ts` },
      { find: /^@tessera\/server\/sessions$/, replacement: `${pkg("")}server/src/sessions/index.ts` },
      { find: /^@tessera\/([a-z-]+)\/testing$/, replacement: `${pkg("")}$1/src/testing/index.ts` },
      {
        find: /^@tessera\/(core|store-sqlite|store-postgres|store-redis|server|verify|client|doctor)$/,
        replacement: `${pkg("")}$1/src/index.ts`,
      },
    ],
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "examples/*/test/**/*.test.ts", "bench/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
