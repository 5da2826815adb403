#!/usr/bin/env node
// `npm run pack`: build, then write an installable tarball of every public package into
// dist-packages/ (gitignored). Each package is staged with the repository's LICENSE beside its
// package.json, README and files, then packed with `npm pack`. `@tessera/*` dependencies keep
// their exact versions: install the tarballs a project needs together in one `npm install`
// (see the root README, "Using the packages in your project").
// `node scripts/pack.js --check` also runs publint and @arethetypeswrong/cli on every tarball.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "dist-packages");
const bin = (name) => join(root, "node_modules", ".bin", name);
const check = process.argv.includes("--check");

const workspaces = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).workspaces;
const packages = workspaces
  .map((dir) => ({
    dir: join(root, dir),
    manifest: JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")),
  }))
  .filter(({ manifest }) => manifest.private !== true);

function run(command, args, options = {}) {
  const res = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (res.status !== 0) {
    console.error(`pack: \`${command} ${args.join(" ")}\` failed (exit ${res.status})`);
    process.exit(1);
  }
}

/** Runs a checker, printing its report only when it fails. */
function quiet(command, args) {
  const res = spawnSync(command, args, { cwd: root, encoding: "utf8" });
  if (res.status !== 0) {
    if (res.error) console.error(`pack --check: ${res.error.message} (run npm install first?)`);
    process.stdout.write(res.stdout ?? "");
    process.stderr.write(res.stderr ?? "");
    console.error(`pack --check: \`${command.slice(root.length)} ${args.join(" ")}\` reported problems`);
    process.exit(1);
  }
}

run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-b"]);
rmSync(out, { recursive: true, force: true });
mkdirSync(out);
const stage = mkdtempSync(join(tmpdir(), "tessera-pack-"));
try {
  for (const { dir, manifest } of packages) {
    const staged = join(stage, manifest.name.replace("@tessera/", ""));
    mkdirSync(staged);
    for (const entry of ["package.json", "README.md", ...(manifest.files ?? [])]) {
      if (existsSync(join(dir, entry))) cpSync(join(dir, entry), join(staged, entry), { recursive: true });
    }
    cpSync(join(root, "LICENSE"), join(staged, "LICENSE"));
    const file = execFileSync("npm", ["pack", "--silent", "--pack-destination", out], { cwd: staged })
      .toString()
      .trim();
    console.log(`dist-packages/${file}`);
    if (check) {
      quiet(bin("publint"), ["run", join(out, file), "--strict"]);
      quiet(bin("attw"), [
        join(out, file),
        "--profile",
        "esm-only",
        "--no-emoji",
        "--format",
        "table-flipped",
      ]);
      console.log(`  publint and attw: no problems in ${manifest.name}`);
    }
  }
} finally {
  rmSync(stage, { recursive: true, force: true });
}
