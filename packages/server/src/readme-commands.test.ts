import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "./cli/program.js";

// Every command the READMEs and docs show names something that exists: each `tessera …` a
// command and subcommand of the CLI with options it has, each `npm run x` a script, each
// `node bench/….js --flag` a file that reads that flag. (What a command then does is tested
// where it is built; docs/scale-out.md's production block and the verify README's examples are
// run as written by their own tests.)

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const dirs = (parent: string) => readdirSync(join(ROOT, parent)).map((name) => join(parent, name));
const DOCS = [
  "README.md",
  "bench/README.md",
  ...[...dirs("packages"), ...dirs("examples")].map((dir) => join(dir, "README.md")),
  ...dirs("docs").filter((file) => file.endsWith(".md")),
].filter((file) => existsSync(join(ROOT, file)));

/** Shell lines of ```sh/```bash blocks (continuations joined) and inline code spans, per file. */
function commandTexts(): Array<{ file: string; text: string }> {
  const found: Array<{ file: string; text: string }> = [];
  for (const file of DOCS) {
    const markdown = readFileSync(join(ROOT, file), "utf8");
    for (const [, body] of markdown.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)) {
      for (const line of (body ?? "").replace(/\\\n\s*/g, " ").split("\n")) found.push({ file, text: line });
    }
    const prose = markdown.replace(/```[\s\S]*?```/g, "");
    for (const [, span] of prose.matchAll(/`([^`\n]+)`/g)) found.push({ file, text: span ?? "" });
  }
  return found;
}

/** The words of a command up to where the shell command ends (comment, pipe, redirect, …). */
function words(rest: string): string[] {
  const out: string[] = [];
  for (const word of rest.trim().split(/\s+/)) {
    if (/^(#|\||>|&&|;|&|2>|\))/.test(word) || word === "") break;
    out.push(word.replace(/^\[+|[\]…,;]+$/g, ""));
    if (word.endsWith(";")) break; // `cmd --flag; next`: the command ends with the word
  }
  return out.filter((word) => word !== "" && word !== "…");
}

/** Why `tessera <args>` is not a command of the CLI, or null when it is. */
function cliProblem(program: Command, args: string[]): string | null {
  let command = program;
  let positional = false;
  for (const arg of args) {
    const options = command as unknown as { _allowUnknownOption?: boolean };
    if (arg.startsWith("-")) {
      const flag = arg.split("=")[0];
      const known = command.options.some((o) => o.long === flag || o.short === flag) || flag === "--help";
      if (!known && !options._allowUnknownOption) return `no option ${flag} on "${command.name()}"`;
      continue;
    }
    if (command.commands.length > 0 && !positional) {
      const sub = command.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
      if (!sub) return `no command "${arg}" under "${command.name()}"`;
      command = sub;
      continue;
    }
    positional = true;
  }
  if (command.commands.length > 0 && command !== program) return `"${command.name()}" needs a subcommand`;
  return null;
}

const texts = commandTexts();

describe("commands shown in the READMEs and docs", () => {
  it(`every tessera command exists with the options shown (${DOCS.length} files)`, () => {
    const program = buildProgram({}, { out: () => {}, err: () => {}, readSecret: async () => "" });
    const problems: string[] = [];
    let checked = 0;
    for (const { file, text } of texts) {
      const match = /^(?:[A-Z_]+=\S+ )*(?:npx |node_modules\/\.bin\/)?tessera (?!listening)(.*)$/.exec(
        text.trim(),
      );
      if (!match) continue;
      checked++;
      const problem = cliProblem(program, words(match[1] ?? ""));
      if (problem) problems.push(`${file}: \`${text.trim()}\`: ${problem}`);
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });

  it("every `npm run <script>` is a script of the root package (or of the workspace it names)", () => {
    const scriptsOf = (dir: string) =>
      Object.keys(JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")).scripts ?? {});
    const workspaces: Record<string, string[]> = {};
    for (const dir of [...dirs("packages"), ...dirs("examples")]) {
      if (!existsSync(join(ROOT, dir, "package.json"))) continue;
      const name = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")).name as string;
      workspaces[name] = scriptsOf(dir);
    }
    const root = scriptsOf(".");
    const problems: string[] = [];
    for (const { file, text } of texts) {
      for (const [, script, workspace] of text.matchAll(/npm run ([\w:-]+)(?: [^#|&;]*?-w (\S+))?/g)) {
        const scripts = workspace ? (workspaces[workspace] ?? []) : root;
        if (!scripts.includes(script as string))
          problems.push(`${file}: npm run ${script} ${workspace ?? ""}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("every `node <file> --flag` names a file of the repository that reads that flag", () => {
    const problems: string[] = [];
    let checked = 0;
    for (const { file, text } of texts) {
      for (const [, script, rest] of text.matchAll(/node ((?:bench|scripts|packages)\/\S+\.js)(.*)/g)) {
        checked++;
        const path = join(ROOT, script as string);
        if (/\/dist\//.test(script as string)) continue; // built output: checked through the CLI above
        if (!existsSync(path)) {
          problems.push(`${file}: ${script} does not exist`);
          continue;
        }
        const source = readFileSync(path, "utf8");
        for (const flag of words(rest ?? "").filter((w) => w.startsWith("--"))) {
          if (!source.includes(`"${flag}"`)) problems.push(`${file}: ${script} does not read ${flag}`);
        }
      }
      for (const [, quickFlags] of text.matchAll(/npm run bench -- ((?:--[\w-]+ ?)+)/g)) {
        const source = readFileSync(join(ROOT, "bench/run.js"), "utf8");
        for (const flag of (quickFlags ?? "").trim().split(" ")) {
          if (!source.includes(`"${flag}"`)) problems.push(`${file}: bench/run.js does not read ${flag}`);
        }
      }
      for (const [, path] of text.matchAll(/npx esbuild (\S+)/g)) {
        if (!existsSync(join(ROOT, path as string))) problems.push(`${file}: ${path} does not exist`);
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(3);
  });
});
