import { fileURLToPath } from "node:url";

/**
 * The example's root directory (`examples/spa/`). Every file here and the bundled demo server in
 * `dist/` sit one level below it, so the same relative URL works for both.
 *
 * @example
 * const html = readFileSync(join(EXAMPLE_ROOT, "public/index.html"), "utf8");
 */
export const EXAMPLE_ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * The repository root: `@tessera/*` packages are bundled from their TypeScript sources there.
 *
 * @example
 * join(REPO_ROOT, "packages/client/src/index.ts");
 */
export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));
