import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./load-config.js";

// The production block of docs/scale-out.md ("Deploy"), as written: its `export` lines are the
// whole environment of an instance, and they must make a configuration `tessera serve` accepts.
// Only the secret files under /run/secrets/ are made here (the block writes the master key with
// openssl and leaves the others to the operator, as its comments say).

const DOC = readFileSync(new URL("../../../../docs/scale-out.md", import.meta.url), "utf8");

/** The `export NAME=value …` assignments of the first ```sh block after "## Deploy". */
function deployEnvironment(): Record<string, string> {
  const section = DOC.slice(DOC.indexOf("\n## Deploy\n"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  const env: Record<string, string> = {};
  for (const line of block.split("\n")) {
    if (!line.startsWith("export ")) continue;
    const assignments = line.slice("export ".length).replace(/\s+#.*$/, "");
    for (const [, name, quoted, bare] of assignments.matchAll(/(\w+)=(?:'([^']*)'|(\S+))/g)) {
      env[name as string] = quoted ?? (bare as string);
    }
  }
  return env;
}

/** What the operator puts in each secret file the block names. */
const SECRET_FILES: Record<string, string> = {
  TESSERA_MASTER_KEY_FILE: `${"3f".repeat(32)}\n`,
  TESSERA_RESOURCE_SECRETS_FILE: "orders-api:Jq0vW4c6Hk9ZrT2mXb8Ls5Ne1Pa7Dy3Uf0Gi6Ow=\n",
  TESSERA_SMTP_URL_FILE: "smtps://tessera:Sm7pPassw0rd@smtp.example.com:465\n",
};

describe("docs/scale-out.md, Deploy", () => {
  it("its export lines make a production configuration that loads", () => {
    const env = deployEnvironment();
    expect(env.NODE_ENV).toBe("production");
    const dir = mkdtempSync(join(tmpdir(), "tessera-deploy-doc-"));
    for (const [name, value] of Object.entries(env)) {
      if (!value.startsWith("/run/secrets/")) continue;
      const content = SECRET_FILES[name];
      if (content === undefined)
        throw new Error(`the block names a secret file the test does not know: ${name}`);
      const file = join(dir, value.slice("/run/secrets/".length));
      writeFileSync(file, content);
      chmodSync(file, 0o600);
      env[name] = file;
    }
    const config = loadConfig(env);
    expect(config.issuer).toBe("https://auth.example.com");
    expect(config.resourceSecrets.map((c) => c.id)).toEqual(["orders-api"]);
    expect(config.mail.smtpUrl).toMatch(/^smtps:/);
  });

  it("without the mail lines production stops with one line naming TESSERA_SMTP_URL (as the doc says)", () => {
    const env = deployEnvironment();
    for (const name of ["TESSERA_SMTP_URL_FILE", "TESSERA_MAIL_FROM", "TESSERA_APP_URL"]) delete env[name];
    const dir = mkdtempSync(join(tmpdir(), "tessera-deploy-doc-"));
    for (const [name, value] of Object.entries(env)) {
      if (!value.startsWith("/run/secrets/")) continue;
      const file = join(dir, value.slice("/run/secrets/".length));
      writeFileSync(file, SECRET_FILES[name] ?? "");
      chmodSync(file, 0o600);
      env[name] = file;
    }
    expect(() => loadConfig(env)).toThrow(/TESSERA_SMTP_URL/);
    expect(() =>
      loadConfig({ ...env, TESSERA_PASSWORD_RESET: "off", TESSERA_EMAIL_VERIFICATION: "off" }),
    ).not.toThrow();
  });
});
