import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { build, type Plugin } from "esbuild";
import { EXAMPLE_ROOT, REPO_ROOT } from "./paths.js";

/** The built page, held in memory: `index.html` (a template), `app.js`, `styles.css`. */
export interface PageBundle {
  /** `public/index.html` with `{{AUTH_URL}}` and `{{API_URL}}` still to fill in. */
  indexTemplate: string;
  files: ReadonlyMap<string, { type: string; body: Uint8Array }>;
}

/** Resolves `@tessera/client` to its TypeScript sources, so the page needs no prior `tsc` build. */
export const sdkFromSource: Plugin = {
  name: "tessera-sdk-source",
  setup(builder) {
    builder.onResolve({ filter: /^@tessera\/client$/ }, () => ({
      path: join(REPO_ROOT, "packages/client/src/index.ts"),
    }));
  },
};

/**
 * Bundles `src/main.ts` and `src/styles.css` with esbuild (minified, ES2022, in memory).
 *
 * @example
 * const bundle = await buildPageBundle();
 * bundle.files.get("/app.js"); // { type: "text/javascript; charset=utf-8", body: … }
 */
export async function buildPageBundle(): Promise<PageBundle> {
  const result = await build({
    entryPoints: { app: join(EXAMPLE_ROOT, "src/main.ts"), styles: join(EXAMPLE_ROOT, "src/styles.css") },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    outdir: "/bundle",
    write: false,
    logLevel: "silent",
    plugins: [sdkFromSource],
  });
  const files = new Map<string, { type: string; body: Uint8Array }>();
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf("/"));
    const type = name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
    files.set(name, { type, body: file.contents });
  }
  const indexTemplate = await readFile(join(EXAMPLE_ROOT, "public/index.html"), "utf8");
  return { indexTemplate, files };
}
