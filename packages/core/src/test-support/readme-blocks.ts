/**
 * Running a README's code block as written, in a test: the block is read from the Markdown, its
 * `import` lines are resolved by the test's module system (so the repository's packages and
 * node_modules apply) and bound to the names they import, and the rest runs as the body of an
 * async function (top-level `await` works). A test swaps in what must differ (a port, a key) by
 * binding a name over the imported one.
 */

/**
 * The first ```<lang> block after the line `heading` (or in the whole file).
 *
 * @example
 * const block = codeBlock(readme, "js", "## CORS");
 */
export function codeBlock(markdown: string, lang: string, heading?: string): string {
  const from = heading === undefined ? 0 : markdown.indexOf(`\n${heading}\n`);
  if (from < 0) throw new Error(`no heading ${heading}`);
  const match = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(markdown.slice(from));
  if (!match?.[1]) throw new Error(`no ${lang} block after ${heading ?? "the start"}`);
  return match[1];
}

const IMPORT = /^import (?:(\w+)|\{([^}]+)\}) from "([^"]+)";\s*(?:\/\/.*)?$/;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<unknown>;

/**
 * Runs `block`: its imports, then `overrides` (names bound over imported or free ones). Resolves
 * to the value of the block's variable `result` (e.g. `"app"`), or undefined.
 *
 * @example
 * const app = await runBlock(block, { express: expressOnFreePort }, "app");
 */
export async function runBlock(
  block: string,
  overrides: Record<string, unknown>,
  result?: string,
): Promise<unknown> {
  const bindings: Record<string, unknown> = {};
  const body: string[] = [];
  for (const line of block.split("\n")) {
    const imported = IMPORT.exec(line);
    if (!imported) {
      body.push(line);
      continue;
    }
    const module = await import(/* @vite-ignore */ imported[3] as string);
    if (imported[1]) bindings[imported[1]] = module.default;
    for (const name of (imported[2] ?? "").split(",").map((n) => n.trim())) {
      if (name === "") continue;
      if (module[name] === undefined) throw new Error(`${imported[3]} exports no ${name}`);
      bindings[name] = module[name];
    }
  }
  const scope = { ...bindings, ...overrides };
  const names = Object.keys(scope);
  const tail =
    result === undefined ? "" : `\n;return typeof ${result} === "undefined" ? undefined : ${result};`;
  return new AsyncFunction(...names, `${body.join("\n")}${tail}`)(...names.map((n) => scope[n]));
}
